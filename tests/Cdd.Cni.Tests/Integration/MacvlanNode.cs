using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>
/// A node of the test's own: a namespace whose master is one end of a veth pair (both ends up, so
/// the master has carrier), a host-local data dir and a state dir. Pods are namespaces too.
/// </summary>
internal sealed class MacvlanNode : IDisposable
{
    readonly List<IDisposable> _owned = [];

    public MacvlanNode(int masterMtu = 1500)
    {
        Root.Require();
        Temp = new TempDir("cdd-mv");
        _owned.Add(Temp);
        Node = new TestNetns("cddn");
        _owned.Add(Node);
        Node.Ip_("link", "add", "m0", "mtu", masterMtu.ToString(), "type", "veth", "peer", "name", "m0p", "mtu", masterMtu.ToString());
        Node.Ip_("link", "set", "m0", "up");
        Node.Ip_("link", "set", "m0p", "up");
        DataDir = Temp.Sub("ipam");
        Cni = new CniRun { CniPath = $"{Temp.Sub("bin")}:{RepoRoot.Out}:/usr/lib/cni", StateDir = Temp.Sub("state"), NodeNetns = Node.Name };
    }

    public TempDir Temp { get; }
    public TestNetns Node { get; }
    public string DataDir { get; }
    public CniRun Cni { get; }
    public string BinDir => Path.Combine(Temp.Path, "bin");

    public TestNetns NewPod()
    {
        var pod = new TestNetns("cddp");
        _owned.Add(pod);
        return pod;
    }

    public string HostLocal(string subnet = "10.77.0.0/24", string gateway = "10.77.0.1") =>
        $$"""{"type":"host-local","dataDir":"{{DataDir}}","ranges":[[{"subnet":"{{subnet}}","gateway":"{{gateway}}"}]],"routes":[{"dst":"0.0.0.0/0"}]}""";

    public string Config(string version = "1.0.0", string? ipam = null, string extra = "") =>
        $$"""{"cniVersion":"{{version}}","name":"mvnet","type":"cdd-cni","mode":"macvlan","master":"m0"{{extra}},"ipam":{{ipam ?? HostLocal()}}}""";

    /// <summary>A fake IPAM plugin (a shell script: test code) in the first CNI_PATH directory.</summary>
    public void AddScriptPlugin(string name, string body)
    {
        var path = Path.Combine(BinDir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}

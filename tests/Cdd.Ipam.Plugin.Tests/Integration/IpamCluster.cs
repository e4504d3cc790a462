using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests.Integration;

/// <summary>
/// Nodes of the test's own: each a namespace whose master m0 is one end of an up veth pair. All nodes share one file
/// store data dir, standing in for the cluster-wide store (the API server) that a fixed identity follows across nodes.
/// Everything is owned here and removed on dispose, pods included, also when a test fails.
/// </summary>
internal sealed class IpamCluster : IDisposable
{
    readonly List<IDisposable> _owned = [];

    public IpamCluster()
    {
        Root.Require();
        Temp = new TempDir("cdd-ipam-int");
        _owned.Add(Temp);
        DataDir = Temp.Sub("store");
        StateDir = Temp.Sub("state");
        // Fail now with the publish hint rather than inside the first exec.
        _ = RepoRoot.Published("cdd-ipam", "ipam/Cdd.Ipam.Plugin/Cdd.Ipam.Plugin.csproj");
    }

    public TempDir Temp { get; }
    public string DataDir { get; }
    public string StateDir { get; }

    public TestNetns NewNode()
    {
        var node = new TestNetns("cddin");
        _owned.Add(node);
        node.Ip_("link", "add", "m0", "type", "veth", "peer", "name", "m0p");
        node.Ip_("link", "set", "m0", "up");
        node.Ip_("link", "set", "m0p", "up");
        return node;
    }

    public TestNetns NewPod()
    {
        var pod = new TestNetns("cddip");
        _owned.Add(pod);
        return pod;
    }

    /// <summary>The reservation files of pool "mysql": address → the JSON record.</summary>
    public Dictionary<string, System.Text.Json.JsonElement> Reservations()
    {
        var dir = Path.Combine(DataDir, "mysql");
        var result = new Dictionary<string, System.Text.Json.JsonElement>();
        if (!Directory.Exists(dir)) return result;
        foreach (var f in Directory.GetFiles(dir))
            if (System.Net.IPAddress.TryParse(Path.GetFileName(f), out _))
                result[Path.GetFileName(f)] = System.Text.Json.JsonDocument.Parse(File.ReadAllText(f)).RootElement.Clone();
        return result;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}

using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>
/// Nodes that are namespaces of the test's own, joined by an underlay veth (node 1 192.0.2.1,
/// node 2 192.0.2.2), each running cdd-cni overlay with its own bridge and VXLAN.
/// </summary>
internal sealed class OverlayCluster : IDisposable
{
    readonly List<IDisposable> _owned = [];

    public OverlayCluster(int nodes = 2, int underlayMtu = 1500)
    {
        Root.Require();
        Temp = new TempDir("cdd-ov");
        _owned.Add(Temp);
        var n1 = new TestNetns("cddn");
        _owned.Add(n1);
        Nodes.Add(n1);
        if (nodes == 2)
        {
            var n2 = new TestNetns("cddn");
            _owned.Add(n2);
            Nodes.Add(n2);
            Ip.Run("link", "add", "u1", "netns", n1.Name, "mtu", underlayMtu.ToString(), "type", "veth", "peer", "name", "u2", "netns", n2.Name, "mtu", underlayMtu.ToString());
        }
        else
        {
            n1.Ip_("link", "add", "u1", "mtu", underlayMtu.ToString(), "type", "veth", "peer", "name", "u1p");
            n1.Ip_("link", "set", "u1p", "up");
        }
        for (int i = 0; i < Nodes.Count; i++)
        {
            Nodes[i].Ip_("addr", "add", $"192.0.2.{i + 1}/24", "dev", $"u{i + 1}");
            Nodes[i].Ip_("link", "set", $"u{i + 1}", "up");
        }
        Cni = Nodes.Select((n, i) => new CniRun
        {
            CniPath = $"{Temp.Sub($"bin{i}")}:{RepoRoot.Out}:/usr/lib/cni", StateDir = Temp.Sub($"state{i}"), NodeNetns = n.Name,
        }).ToList();
    }

    public TempDir Temp { get; }
    public List<TestNetns> Nodes { get; } = [];
    public List<CniRun> Cni { get; }

    public string DataDir(int node) => Path.Combine(Temp.Path, $"ipam{node}");

    public TestNetns NewPod()
    {
        var pod = new TestNetns("cddp");
        _owned.Add(pod);
        return pod;
    }

    /// <summary>Node i's config: one conflist for all nodes would differ only in underlay; each node draws from its own slice of the subnet.</summary>
    public string Config(int node, string version = "1.0.0", string extra = "", string? ipam = null) =>
        $$"""{"cniVersion":"{{version}}","name":"ovl","type":"cdd-cni","mode":"overlay","vni":4200,"underlay":"u{{node + 1}}","peers":["192.0.2.1","192.0.2.2"]{{extra}},"ipam":{{ipam ?? HostLocal(node)}}}""";

    public string HostLocal(int node) =>
        $$"""{"type":"host-local","dataDir":"{{DataDir(node)}}","ranges":[[{"subnet":"10.88.0.0/24","rangeStart":"10.88.0.{{(node + 1) * 10}}","rangeEnd":"10.88.0.{{(node + 1) * 10 + 9}}"}]]}""";

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}

using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests.Integration;

/// <summary>Root: cdd-ipam as the IPAM of cdd-cni and of Debian's reference macvlan, on real namespaces; iproute2 is the oracle.</summary>
[Tier(Tier.Root)]
public sealed class MacvlanWithCddIpamTests : IDisposable
{
    readonly IpamCluster _c = new();

    public void Dispose() => _c.Dispose();

    static string ReferenceMacvlan => "/usr/lib/cni/macvlan";

    [Fact]
    public void Cdd_cni_macvlan_with_cdd_ipam_gives_the_pod_its_address_and_del_frees_it()
    {
        var node = _c.NewNode();
        var pod = _c.NewPod();
        string conf = IpamConfigs.CddCniMacvlan(IpamConfigs.Ipam(_c.DataDir));

        var add = PluginRun.Exec(RepoRoot.CddCni, node.Name, "ADD", conf, "c1", pod.Path, _c.StateDir).Ok("cdd-cni ADD");
        Assert.Equal("10.10.0.2/24", add.Address);
        Assert.Equal(["10.10.0.2/24"], Ip.Addresses(pod.Name, "eth0"));
        Assert.Contains("default via 10.10.0.1 dev eth0", pod.Ip_("route", "show"));
        Assert.Equal("c1", _c.Reservations()["10.10.0.2"].GetProperty("owner").GetProperty("containerID").GetString());

        PluginRun.Exec(RepoRoot.CddCni, node.Name, "DEL", conf, "c1", pod.Path, _c.StateDir).Ok("cdd-cni DEL");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(_c.Reservations());
    }

    [Fact]
    public void Reference_macvlan_with_cdd_ipam_gives_the_pod_its_address_and_del_frees_it()
    {
        var node = _c.NewNode();
        var pod = _c.NewPod();
        string conf = IpamConfigs.ReferenceMacvlan(IpamConfigs.Ipam(_c.DataDir));

        var add = PluginRun.Exec(ReferenceMacvlan, node.Name, "ADD", conf, "r1", pod.Path, _c.StateDir).Ok("macvlan ADD");
        Assert.Equal("10.10.0.2/24", add.Address);
        Assert.Equal(["10.10.0.2/24"], Ip.Addresses(pod.Name, "eth0"));
        Assert.Contains("default via 10.10.0.1 dev eth0", pod.Ip_("route", "show"));

        PluginRun.Exec(ReferenceMacvlan, node.Name, "CHECK", With(conf, "prevResult", add.Stdout), "r1", pod.Path, _c.StateDir).Ok("macvlan CHECK");
        PluginRun.Exec(ReferenceMacvlan, node.Name, "DEL", conf, "r1", pod.Path, _c.StateDir).Ok("macvlan DEL");
        Assert.Empty(_c.Reservations());
    }

    [Fact]
    public void A_statefulset_member_gets_its_address_back_on_a_node_of_another_segment_and_a_stale_del_frees_nothing()
    {
        var nodeA = _c.NewNode();
        var nodeB = _c.NewNode();
        string onA = IpamConfigs.ReferenceMacvlan(IpamConfigs.Ipam(_c.DataDir, node: "node-a", rack: "a"));
        string onB = IpamConfigs.ReferenceMacvlan(IpamConfigs.Ipam(_c.DataDir, node: "node-b", rack: "b", trunk: "100"));

        var first = _c.NewPod();
        var a = PluginRun.Exec(ReferenceMacvlan, nodeA.Name, "ADD", onA, "old", first.Path, _c.StateDir, PluginRun.StatefulSetPod("mysql-0")).Ok("ADD on A");
        // Another pod takes the next address of seg-a, so a re-issue cannot be luck.
        PluginRun.Exec(ReferenceMacvlan, nodeA.Name, "ADD", onA, "other", _c.NewPod().Path, _c.StateDir).Ok("ADD other");
        PluginRun.Exec(ReferenceMacvlan, nodeA.Name, "DEL", onA, "old", first.Path, _c.StateDir, PluginRun.StatefulSetPod("mysql-0")).Ok("DEL on A");
        Assert.True(_c.Reservations().ContainsKey("10.10.0.2"), "the fixed binding must outlive the pod");

        var second = _c.NewPod();
        var b = PluginRun.Exec(ReferenceMacvlan, nodeB.Name, "ADD", onB, "new", second.Path, _c.StateDir, PluginRun.StatefulSetPod("mysql-0")).Ok("ADD on B");
        Assert.Equal(a.Address, b.Address);
        Assert.Equal(["10.10.0.2/24"], Ip.Addresses(second.Name, "eth0"));
        // The raw IPAM answer carries the segment's VLAN, which the SR-IOV mode tags the VF with on node B.
        var ipamOnB = PluginRun.Exec(RepoRoot.Published("cdd-ipam", "ipam/Cdd.Ipam.Plugin/Cdd.Ipam.Plugin.csproj"), nodeB.Name, "ADD", onB, "new", second.Path, _c.StateDir,
            PluginRun.StatefulSetPod("mysql-0")).Ok("cdd-ipam ADD on B");
        Assert.Equal(100, ipamOnB.Json.GetProperty("vlan").GetInt32());
        Assert.Equal("seg-a", ipamOnB.Json.GetProperty("segment").GetString());

        // The old container's DEL arrives late: the new pod keeps its address.
        PluginRun.Exec(ReferenceMacvlan, nodeA.Name, "DEL", onA, "old", null, _c.StateDir, PluginRun.StatefulSetPod("mysql-0")).Ok("stale DEL");
        var held = _c.Reservations()["10.10.0.2"];
        Assert.Equal("new", held.GetProperty("owner").GetProperty("containerID").GetString());
        Assert.Equal("node-b", held.GetProperty("node").GetString());
    }

    static string With(string config, string key, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(config)!.AsObject();
        node[key] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return node.ToJsonString();
    }
}

using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>Root: cdd-cni overlay on nodes that are namespaces, with a real VXLAN over an underlay veth.</summary>
[Tier(Tier.Root)]
public sealed class OverlayTests
{
    [Theory]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public void Add_check_del_round_trip_in_each_spec_version(string version)
    {
        using var c = new OverlayCluster(nodes: 1);
        using var pod = c.NewPod();
        var cni = c.Cni[0];
        string conf = c.Config(0, version);
        var add = cni.Add(conf, "o1", pod).Ok("ADD");
        var res = add.Json;
        Assert.Equal(version, res.GetProperty("cniVersion").GetString());
        var ifaces = res.GetProperty("interfaces");
        Assert.Equal(2, ifaces.GetArrayLength());
        string hostEnd = ifaces[0].GetProperty("name").GetString()!;
        Assert.False(ifaces[0].TryGetProperty("sandbox", out _));
        Assert.Equal(pod.Path, ifaces[1].GetProperty("sandbox").GetString());
        Assert.Equal(1, res.GetProperty("ips")[0].GetProperty("interface").GetInt32());

        var node = c.Nodes[0];
        Assert.Equal("cdd0", Ip.Link(node.Name, hostEnd)!.Value.GetProperty("master").GetString());
        var vx = Ip.Link(node.Name, "cddvx4200")!.Value;
        Assert.Equal(4200, vx.GetProperty("linkinfo").GetProperty("info_data").GetProperty("id").GetInt32());
        Assert.Equal("cdd0", vx.GetProperty("master").GetString());
        Assert.Equal(1450, vx.GetProperty("mtu").GetInt32()); // 1500 - 50 bytes of VXLAN over IPv4
        Assert.Equal(1450, Ip.Link(pod.Name, "eth0")!.Value.GetProperty("mtu").GetInt32());
        Assert.Equal(["10.88.0.10/24"], Ip.Addresses(pod.Name, "eth0"));

        cni.Check(conf, add.Stdout, "o1", pod).Ok("CHECK");
        cni.Del(conf, "o1", pod.Path).Ok("DEL");
        Assert.Null(Ip.Link(node.Name, hostEnd));
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(HostLocalStore.Allocations(c.DataDir(0), "ovl"));
        cni.Del(conf, "o1", pod.Path).Ok("DEL again");
    }

    [Fact]
    public void Pod_on_node_a_pings_pod_on_node_b_over_vxlan()
    {
        using var c = new OverlayCluster(nodes: 2);
        using var a = c.NewPod();
        using var b = c.NewPod();
        c.Cni[0].Add(c.Config(0), "pa", a).Ok("ADD on node 1");
        c.Cni[1].Add(c.Config(1), "pb", b).Ok("ADD on node 2");
        // head-end replication: one all-zero FDB entry towards the other node, none towards itself
        var fdb = Exec.Run("bridge", "-n", c.Nodes[0].Name, "fdb", "show", "dev", "cddvx4200").Stdout;
        Assert.Contains("00:00:00:00:00:00 dst 192.0.2.2", fdb);
        Assert.DoesNotContain("dst 192.0.2.1", fdb);
        var ping = Exec.Run("ip", "netns", "exec", a.Name, "ping", "-c", "3", "-W", "2", "10.88.0.20");
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
    }

    [Fact]
    public void Concurrent_adds_on_one_node_share_one_bridge_and_vxlan()
    {
        using var c = new OverlayCluster(nodes: 1);
        var pods = Enumerable.Range(0, 8).Select(_ => c.NewPod()).ToList();
        var outcomes = new CniOutcome[pods.Count];
        Parallel.For(0, pods.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => outcomes[i] = c.Cni[0].Add(c.Config(0), $"p{i}", pods[i]));
        foreach (var o in outcomes) o.Ok("concurrent ADD");
        var links = Ip.Json("-n", c.Nodes[0].Name, "-d", "link", "show").EnumerateArray().ToList();
        Assert.Single(links, l => l.GetProperty("ifname").GetString() == "cdd0");
        Assert.Single(links, l => l.GetProperty("ifname").GetString() == "cddvx4200");
        Assert.Equal(8, links.Count(l => l.TryGetProperty("master", out var m) && m.GetString() == "cdd0" && l.GetProperty("ifname").GetString()!.StartsWith("cddv") && l.GetProperty("ifname").GetString() != "cddvx4200"));
        var fdb = Exec.Run("bridge", "-n", c.Nodes[0].Name, "fdb", "show", "dev", "cddvx4200").Stdout;
        Assert.Single(fdb.Split('\n'), l => l.Contains("00:00:00:00:00:00 dst 192.0.2.2"));
        var addrs = pods.Select(p => Ip.Addresses(p.Name, "eth0").Single()).ToHashSet();
        Assert.Equal(8, addrs.Count);
    }

    [Fact]
    public void Peers_removed_from_the_config_lose_their_fdb_entry_on_the_next_add()
    {
        using var c = new OverlayCluster(nodes: 1);
        using var p1 = c.NewPod();
        using var p2 = c.NewPod();
        c.Cni[0].Add(c.Config(0).Replace("\"192.0.2.2\"", "\"192.0.2.2\",\"192.0.2.3\""), "a", p1).Ok("ADD");
        Assert.Contains("dst 192.0.2.3", Exec.Run("bridge", "-n", c.Nodes[0].Name, "fdb", "show", "dev", "cddvx4200").Stdout);
        c.Cni[0].Add(c.Config(0), "b", p2).Ok("ADD");
        Assert.DoesNotContain("dst 192.0.2.3", Exec.Run("bridge", "-n", c.Nodes[0].Name, "fdb", "show", "dev", "cddvx4200").Stdout);
    }

    [Fact]
    public void Mtu_above_what_the_underlay_carries_is_code_7_naming_mtu()
    {
        using var c = new OverlayCluster(nodes: 1);
        using var pod = c.NewPod();
        var r = c.Cni[0].Add(c.Config(0, extra: ""","mtu":1480"""), "m", pod).Failed(7);
        Assert.Contains("mtu 1480", r.Msg);
        Assert.Contains("1450", r.Msg);
        Assert.Null(Ip.Link(c.Nodes[0].Name, "cdd0")); // nothing made before the config was found wanting
    }

    [Fact]
    public void Missing_vni_is_code_7_naming_vni()
    {
        using var c = new OverlayCluster(nodes: 1);
        using var pod = c.NewPod();
        Assert.Contains("vni", c.Cni[0].Add(c.Config(0).Replace("\"vni\":4200,", ""), "v", pod).Failed(7).Msg);
    }

    [Fact]
    public void Check_fails_when_the_host_end_left_the_bridge()
    {
        using var c = new OverlayCluster(nodes: 1);
        using var pod = c.NewPod();
        string conf = c.Config(0);
        var add = c.Cni[0].Add(conf, "k", pod).Ok("ADD");
        string hostEnd = add.Json.GetProperty("interfaces")[0].GetProperty("name").GetString()!;
        c.Nodes[0].Ip_("link", "set", hostEnd, "nomaster");
        Assert.Contains("not attached", c.Cni[0].Check(conf, add.Stdout, "k", pod).Failed(102).Msg);
    }

    [Fact]
    public void Bridge_name_taken_by_another_kind_of_link_is_code_7_on_add_and_50_on_status()
    {
        using var c = new OverlayCluster(nodes: 1);
        using var pod = c.NewPod();
        c.Nodes[0].Ip_("link", "add", "cdd0", "type", "veth", "peer", "name", "cdd0p");
        Assert.Contains("not a bridge", c.Cni[0].Add(c.Config(0), "x", pod).Failed(7).Msg);
        Assert.Contains("not a bridge", c.Cni[0].Exec("STATUS", c.Config(0, "1.1.0"), ifName: "").Failed(50).Msg);
        Assert.Null(Ip.Link(c.Nodes[0].Name, "cddvx4200"));
    }

    [Fact]
    public void Status_is_code_50_without_the_underlay_and_51_without_carrier()
    {
        using var c = new OverlayCluster(nodes: 1);
        c.Cni[0].Exec("STATUS", c.Config(0, "1.1.0"), ifName: "").Ok("STATUS");
        c.Nodes[0].Ip_("link", "set", "u1p", "down");
        c.Cni[0].Exec("STATUS", c.Config(0, "1.1.0"), ifName: "").Failed(51);
        c.Cni[0].Exec("STATUS", c.Config(0, "1.1.0").Replace("\"u1\"", "\"nope1\""), ifName: "").Failed(50);
    }
}

using System.Net;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>Root: cdd-cni macvlan exec'd on real namespaces with Debian's host-local as IPAM; iproute2 is the oracle.</summary>
[Tier(Tier.Root)]
public sealed class MacvlanTests : IDisposable
{
    readonly MacvlanNode _n = new();

    public void Dispose() => _n.Dispose();

    [Theory]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public void Add_check_del_round_trip_in_each_spec_version(string version)
    {
        using var pod = _n.NewPod();
        string conf = _n.Config(version);
        var add = _n.Cni.Add(conf, "c1", pod).Ok("ADD");

        var res = add.Json;
        Assert.Equal(version, res.GetProperty("cniVersion").GetString());
        var iface = res.GetProperty("interfaces")[0];
        Assert.Equal("eth0", iface.GetProperty("name").GetString());
        Assert.Equal(pod.Path, iface.GetProperty("sandbox").GetString());
        var ip = res.GetProperty("ips")[0];
        Assert.Equal("10.77.0.2/24", ip.GetProperty("address").GetString());
        Assert.Equal(0, ip.GetProperty("interface").GetInt32());
        // 0.4.0 results say the family of each address; 1.x dropped the field.
        Assert.Equal(version == "0.4.0", ip.TryGetProperty("version", out _));

        var link = Ip.Link(pod.Name, "eth0")!.Value;
        Assert.Equal("macvlan", link.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal("bridge", link.GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
        Assert.Equal(iface.GetProperty("mac").GetString(), link.GetProperty("address").GetString());
        Assert.Equal(["10.77.0.2/24"], Ip.Addresses(pod.Name, "eth0"));
        Assert.Contains("default via 10.77.0.1 dev eth0", pod.Ip_("route", "show"));
        Assert.Equal("c1", HostLocalStore.Allocations(_n.DataDir, "mvnet")[IPAddress.Parse("10.77.0.2")]);

        _n.Cni.Check(conf, add.Stdout, "c1", pod).Ok("CHECK");

        _n.Cni.Del(conf, "c1", pod.Path).Ok("DEL");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
        Assert.Equal(["lo"], pod.Ip_("-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[1].Trim()));
    }

    [Fact]
    public void Pods_on_one_master_ping_each_other()
    {
        using var a = _n.NewPod();
        using var b = _n.NewPod();
        _n.Cni.Add(_n.Config(), "pa", a).Ok("ADD a");
        _n.Cni.Add(_n.Config(), "pb", b).Ok("ADD b");
        var ping = Exec.Run("ip", "netns", "exec", a.Name, "ping", "-c", "2", "-W", "2", "10.77.0.3");
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
    }

    [Fact]
    public void Add_announces_the_address_with_a_gratuitous_arp()
    {
        using var watcher = _n.NewPod();
        using var pod = _n.NewPod();
        _n.Cni.Add(_n.Config(), "watcher", watcher).Ok("ADD watcher");
        // With arp_accept the watcher learns addresses from gratuitous ARP alone; nothing pings.
        using (var ns = Cdd.Native.Namespaces.NetNs.Open(watcher.Path))
            ns.Run(() => new Cdd.Native.Sysctl().SetInterface("ipv4", "eth0", "arp_accept", "1"));
        var add = _n.Cni.Add(_n.Config(), "announcer", pod).Ok("ADD");
        string mac = add.Json.GetProperty("interfaces")[0].GetProperty("mac").GetString()!;
        var neigh = Ip.Json("-n", watcher.Name, "neigh", "show", "dev", "eth0").EnumerateArray()
            .FirstOrDefault(e => e.GetProperty("dst").GetString() == "10.77.0.3");
        Assert.True(neigh.ValueKind != System.Text.Json.JsonValueKind.Undefined, "the watcher saw no gratuitous ARP for 10.77.0.3");
        Assert.Equal(mac, neigh.GetProperty("lladdr").GetString());
    }

    [Fact]
    public void Dual_stack_pods_get_both_families_and_reach_each_other_over_ipv6()
    {
        using var a = _n.NewPod();
        using var b = _n.NewPod();
        var ipam = $$"""{"type":"host-local","dataDir":"{{_n.DataDir}}","ranges":[[{"subnet":"10.77.0.0/24"}],[{"subnet":"fd00:77::/64"}]],"routes":[{"dst":"::/0"}]}""";
        var add = _n.Cni.Add(_n.Config(ipam: ipam), "ds-a", a).Ok("ADD a");
        _n.Cni.Add(_n.Config(ipam: ipam), "ds-b", b).Ok("ADD b");
        Assert.Equal(["10.77.0.2/24", "fd00:77::2/64"], Ip.Addresses(a.Name, "eth0"));
        Assert.Equal(2, add.Json.GetProperty("ips").GetArrayLength());
        // NODAD: the pod's address is usable at once, never "tentative" (the kernel's link-local one may be)
        var ours = Ip.Json("-n", a.Name, "-6", "addr", "show", "dev", "eth0")[0].GetProperty("addr_info").EnumerateArray()
            .Single(i => i.GetProperty("local").GetString() == "fd00:77::2");
        Assert.False(ours.TryGetProperty("tentative", out _));
        var ping = Exec.Run("ip", "netns", "exec", a.Name, "ping", "-6", "-c", "2", "-W", "2", "fd00:77::3");
        Assert.True(ping.ExitCode == 0, ping.Stdout + ping.Stderr);
    }

    [Fact]
    public void Second_attachment_with_its_own_default_route_is_added_beside_the_first()
    {
        using var pod = _n.NewPod();
        _n.Cni.Add(_n.Config(), "multi", pod, "eth0").Ok("ADD eth0");
        var second = _n.Config(ipam: _n.HostLocal("10.78.0.0/24", "10.78.0.1")).Replace("\"mvnet\"", "\"mvnet2\"");
        _n.Cni.Add(second, "multi", pod, "net1").Ok("ADD net1");
        var routes = pod.Ip_("route", "show", "default");
        Assert.Contains("via 10.77.0.1 dev eth0", routes);
        Assert.Contains("via 10.78.0.1 dev net1", routes);
        _n.Cni.Del(second, "multi", pod.Path, "net1").Ok("DEL net1");
        Assert.NotNull(Ip.Link(pod.Name, "eth0"));
        Assert.Null(Ip.Link(pod.Name, "net1"));
    }

    [Fact]
    public void Del_is_idempotent_and_succeeds_without_a_prior_add()
    {
        using var pod = _n.NewPod();
        _n.Cni.Del(_n.Config(), "never-added", pod.Path).Ok("DEL of nothing");
        _n.Cni.Add(_n.Config(), "c2", pod).Ok("ADD");
        _n.Cni.Del(_n.Config(), "c2", pod.Path).Ok("DEL");
        _n.Cni.Del(_n.Config(), "c2", pod.Path).Ok("DEL again");
    }

    [Fact]
    public void Del_succeeds_when_netns_is_gone_and_releases_the_address()
    {
        var pod = _n.NewPod();
        _n.Cni.Add(_n.Config(), "c3", pod).Ok("ADD");
        string path = pod.Path;
        pod.Dispose();
        _n.Cni.Del(_n.Config(), "c3", path).Ok("DEL with the netns gone");
        _n.Cni.Del(_n.Config(), "c3", "").Ok("DEL with no CNI_NETNS at all");
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
    }

    [Fact]
    public void Mac_from_runtime_config_is_used()
    {
        using var pod = _n.NewPod();
        var add = _n.Cni.Add(_n.Config(extra: ""","runtimeConfig":{"mac":"02:42:0a:4d:00:99"}"""), "c4", pod).Ok("ADD");
        Assert.Equal("02:42:0a:4d:00:99", Ip.Link(pod.Name, "eth0")!.Value.GetProperty("address").GetString());
        Assert.Equal("02:42:0a:4d:00:99", add.Json.GetProperty("interfaces")[0].GetProperty("mac").GetString());
    }

    [Fact]
    public void Requested_ip_from_runtime_config_reaches_host_local()
    {
        using var pod = _n.NewPod();
        var ipam = $$"""{"type":"host-local","dataDir":"{{_n.DataDir}}","ranges":[[{"subnet":"10.77.0.0/24"}]]}""";
        var conf = _n.Config(ipam: ipam, extra: ""","runtimeConfig":{"ips":["10.77.0.42/24"]}""");
        _n.Cni.Add(conf, "c5", pod).Ok("ADD");
        Assert.Equal(["10.77.0.42/24"], Ip.Addresses(pod.Name, "eth0"));
    }

    [Fact]
    public void Static_ipam_from_debian_works()
    {
        using var pod = _n.NewPod();
        var ipam = """{"type":"static","addresses":[{"address":"10.66.0.7/24","gateway":"10.66.0.1"}],"routes":[{"dst":"10.200.0.0/16"}]}""";
        _n.Cni.Add(_n.Config(ipam: ipam), "c6", pod).Ok("ADD");
        Assert.Equal(["10.66.0.7/24"], Ip.Addresses(pod.Name, "eth0"));
        Assert.Contains("10.200.0.0/16 via 10.66.0.1 dev eth0", pod.Ip_("route", "show"));
    }

    [Theory]
    [InlineData("private")]
    [InlineData("vepa")]
    [InlineData("passthru")]
    public void Each_macvlan_mode_is_created_as_asked(string mode)
    {
        using var pod = _n.NewPod();
        _n.Cni.Add(_n.Config(extra: $$""","macvlanMode":"{{mode}}" """), "c7", pod).Ok("ADD");
        Assert.Equal(mode, Ip.Link(pod.Name, "eth0")!.Value.GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
    }

    [Fact]
    public void Kernel_refusing_the_link_releases_the_address_ipam_took_meanwhile()
    {
        using var first = _n.NewPod();
        using var second = _n.NewPod();
        string passthru = _n.Config(extra: ""","macvlanMode":"passthru" """);
        _n.Cni.Add(passthru, "pt1", first).Ok("first passthru ADD");
        // A master takes one passthru macvlan only: the kernel refuses the second while IPAM allocates.
        var r = _n.Cni.Add(passthru, "pt2", second).Failed(101);
        Assert.Contains("macvlan", r.Msg);
        Assert.Equal(["pt1"], HostLocalStore.Allocations(_n.DataDir, "mvnet").Values);
        Assert.Null(Ip.Link(second.Name, "eth0"));
    }

    [Fact]
    public void Check_fails_naming_what_drifted()
    {
        using var pod = _n.NewPod();
        string conf = _n.Config();
        var add = _n.Cni.Add(conf, "c8", pod).Ok("ADD");
        pod.Ip_("addr", "del", "10.77.0.2/24", "dev", "eth0");
        var check = _n.Cni.Check(conf, add.Stdout, "c8", pod).Failed(102);
        Assert.Contains("10.77.0.2/24", check.Msg);

        pod.Ip_("link", "set", "eth0", "address", "02:00:00:00:00:01");
        Assert.Contains("MAC", _n.Cni.Check(conf, add.Stdout, "c8", pod).Failed(102).Msg);
        pod.Ip_("link", "del", "eth0");
        Assert.Contains("missing", _n.Cni.Check(conf, add.Stdout, "c8", pod).Failed(102).Msg);
    }

    [Fact]
    public void Status_reports_a_usable_master_and_code_50_for_a_missing_one()
    {
        _n.Cni.Exec("STATUS", _n.Config("1.1.0"), ifName: "").Ok("STATUS");
        var missing = _n.Cni.Exec("STATUS", _n.Config("1.1.0").Replace("\"m0\"", "\"gone0\""), ifName: "").Failed(50);
        Assert.Contains("gone0", missing.Msg);
        _n.Node.Ip_("link", "set", "m0", "down");
        _n.Cni.Exec("STATUS", _n.Config("1.1.0"), ifName: "").Failed(50);
    }

    [Fact]
    public void Gc_forwards_to_ipam_and_succeeds()
    {
        var gc = CniRun.With(_n.Config("1.1.0"), "cni.dev/valid-attachments", """[{"containerID":"x","ifname":"eth0"}]""");
        _n.Cni.Exec("GC", gc, ifName: "").Ok("GC");
    }

    [Fact]
    public void Master_defaults_to_the_interface_of_the_default_route()
    {
        _n.Node.Ip_("addr", "add", "192.0.2.10/24", "dev", "m0");
        _n.Node.Ip_("route", "add", "default", "via", "192.0.2.1", "dev", "m0");
        using var pod = _n.NewPod();
        var conf = _n.Config().Replace(""","master":"m0" """.Trim(), "");
        _n.Cni.Add(conf, "c9", pod).Ok("ADD");
        var link = Ip.Link(pod.Name, "eth0")!.Value;
        Assert.Equal("macvlan", link.GetProperty("linkinfo").GetProperty("info_kind").GetString());
    }
}

using System.Net;
using Cdd.Native.Namespaces;
using Cdd.Native.Netlink;
using Cdd.Native.Rtnl;
using Cdd.Net;
using Cdd.Testing;

namespace Cdd.Native.Tests.Rtnl;

/// <summary>Root: every call goes to the real kernel inside a namespace of the test's own; iproute2 checks the outcome.</summary>
[Tier(Tier.Root)]
public sealed class RtnlIntegrationTests : IDisposable
{
    readonly TestNetns _ns = new();
    readonly NetNs _handle;
    readonly Rtnetlink _rtnl;

    public RtnlIntegrationTests()
    {
        _handle = NetNs.Open(_ns.Path);
        _rtnl = Rtnetlink.OpenIn(_handle);
    }

    public void Dispose()
    {
        _rtnl.Dispose();
        _handle.Dispose();
        _ns.Dispose();
    }

    [Fact]
    public void Creates_a_veth_pair_with_mtu_and_mac()
    {
        var mac = MacAddress.Parse("02:00:00:aa:bb:01");
        _rtnl.Links.Create(new VethSpec("va", "vb") { Mtu = 1400, Mac = mac });
        var a = Ip.Link(_ns.Name, "va")!.Value;
        Assert.Equal(1400, a.GetProperty("mtu").GetInt32());
        Assert.Equal("02:00:00:aa:bb:01", a.GetProperty("address").GetString());
        Assert.Equal("veth", a.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        var b = _rtnl.Links.Get("vb");
        Assert.Equal("veth", b.Kind);
        Assert.Equal(1400, b.Mtu);
    }

    [Fact]
    public void Sets_up_renames_moves_and_deletes_a_link()
    {
        using var other = new TestNetns();
        using var otherNs = NetNs.Open(other.Path);
        _rtnl.Links.Create(new VethSpec("v1", "v2"));
        var v1 = _rtnl.Links.Get("v1");
        _rtnl.Links.SetUp(v1.Index, true);
        Assert.True(_rtnl.Links.Get("v1").IsUp);
        _rtnl.Links.SetUp(v1.Index, false);
        _rtnl.Links.Rename(v1.Index, "renamed");
        Assert.Null(_rtnl.Links.Find("v1"));
        Assert.NotNull(Ip.Link(_ns.Name, "renamed"));
        _rtnl.Links.MoveTo(v1.Index, otherNs);
        Assert.Null(_rtnl.Links.Find("renamed"));
        Assert.NotNull(Ip.Link(other.Name, "renamed"));
        var v2 = _rtnl.Links.Get("v2");
        _rtnl.Links.Delete(v2.Index);
        Assert.Null(_rtnl.Links.Find("v2"));
        Assert.Null(Ip.Link(other.Name, "renamed")); // the peer dies with it
    }

    [Fact]
    public void Creates_the_peer_directly_in_another_namespace()
    {
        using var other = new TestNetns();
        using var otherNs = NetNs.Open(other.Path);
        _rtnl.Links.Create(new VethSpec("host0", "pod0") { PeerNamespace = otherNs });
        Assert.NotNull(Ip.Link(other.Name, "pod0"));
        Assert.Null(Ip.Link(_ns.Name, "pod0"));
    }

    [Fact]
    public void Creates_macvlan_in_each_mode_on_a_master()
    {
        _rtnl.Links.Create(new VethSpec("m0", "m0p"));
        int master = _rtnl.Links.Get("m0").Index;
        foreach (var mode in new[] { MacvlanMode.Bridge, MacvlanMode.Private, MacvlanMode.Vepa })
        {
            var name = "mv" + (int)mode;
            _rtnl.Links.Create(new MacvlanSpec(name, master, mode));
            var link = _rtnl.Links.Get(name);
            Assert.Equal("macvlan", link.Kind);
            Assert.Equal(mode, link.MacvlanMode);
            Assert.Equal(master, link.ParentIndex);
            Assert.Equal(mode.ToString().ToLowerInvariant(), Ip.Link(_ns.Name, name)!.Value.GetProperty("linkinfo").GetProperty("info_data").GetProperty("mode").GetString());
        }
    }

    [Fact]
    public void Creates_a_bridge_and_enslaves_a_port()
    {
        _rtnl.Links.Create(new BridgeSpec("br0"));
        _rtnl.Links.Create(new VethSpec("p0", "p0peer"));
        var br = _rtnl.Links.Get("br0");
        _rtnl.Links.SetMaster(_rtnl.Links.Get("p0").Index, br.Index);
        Assert.Equal(br.Index, _rtnl.Links.Get("p0").MasterIndex);
        Assert.Equal("br0", Ip.Link(_ns.Name, "p0")!.Value.GetProperty("master").GetString());
    }

    [Fact]
    public void Creates_vxlan_and_appends_head_end_replication_entries()
    {
        _rtnl.Links.Create(new VethSpec("u0", "u0p"));
        var u0 = _rtnl.Links.Get("u0");
        _rtnl.Addresses.Add(u0.Index, IpPrefix.Parse("192.0.2.1/24"));
        _rtnl.Links.Create(new VxlanSpec("vx42", 42) { Port = 4789, UnderlayIndex = u0.Index, Local = IPAddress.Parse("192.0.2.1") });
        var vx = _rtnl.Links.Get("vx42");
        Assert.Equal(42u, vx.VxlanId);
        Assert.Equal((ushort)4789, vx.VxlanPort);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), vx.VxlanLocal);
        _rtnl.Neighbours.AppendFdb(vx.Index, MacAddress.Zero, IPAddress.Parse("192.0.2.2"));
        _rtnl.Neighbours.AppendFdb(vx.Index, MacAddress.Zero, IPAddress.Parse("192.0.2.3"));
        var fdb = _rtnl.Neighbours.ListFdb(vx.Index).Where(e => e.Mac.IsZero).Select(e => e.Dst!.ToString()).Order().ToList();
        Assert.Equal(["192.0.2.2", "192.0.2.3"], fdb);
        var shown = Exec.Run("bridge", "-n", _ns.Name, "fdb", "show", "dev", "vx42").Stdout;
        Assert.Contains("00:00:00:00:00:00 dst 192.0.2.2", shown);
        _rtnl.Neighbours.DeleteFdb(vx.Index, MacAddress.Zero, IPAddress.Parse("192.0.2.2"));
        Assert.DoesNotContain(_rtnl.Neighbours.ListFdb(vx.Index), e => e.Dst?.ToString() == "192.0.2.2");
    }

    [Fact]
    public void Adds_lists_and_deletes_addresses_of_both_families()
    {
        _rtnl.Links.Create(new VethSpec("a0", "a0p"));
        var a0 = _rtnl.Links.Get("a0");
        _rtnl.Addresses.Add(a0.Index, IpPrefix.Parse("10.9.0.5/24"));
        _rtnl.Addresses.Add(a0.Index, IpPrefix.Parse("fd00:9::5/64"));
        Assert.Equal(["10.9.0.5/24", "fd00:9::5/64"], Ip.Addresses(_ns.Name, "a0"));
        var listed = _rtnl.Addresses.List(a0.Index).Select(a => a.Prefix.ToString()).ToList();
        Assert.Contains("10.9.0.5/24", listed);
        Assert.Contains("fd00:9::5/64", listed);
        _rtnl.Addresses.Delete(a0.Index, IpPrefix.Parse("10.9.0.5/24"));
        Assert.Equal(["fd00:9::5/64"], Ip.Addresses(_ns.Name, "a0"));
    }

    [Fact]
    public void Adds_a_default_route_via_a_gateway_and_lists_it()
    {
        _rtnl.Links.Create(new VethSpec("r0", "r0p"));
        var r0 = _rtnl.Links.Get("r0");
        _rtnl.Links.SetUp(r0.Index, true);
        _rtnl.Links.SetUp(_rtnl.Links.Get("r0p").Index, true);
        _rtnl.Addresses.Add(r0.Index, IpPrefix.Parse("10.8.0.5/24"));
        _rtnl.Routes.Add(new Route { Dst = IpPrefix.Parse("0.0.0.0/0"), Gateway = IPAddress.Parse("10.8.0.1"), OutIndex = r0.Index });
        _rtnl.Routes.Add(new Route { Dst = IpPrefix.Parse("172.20.0.0/16"), Gateway = IPAddress.Parse("10.8.0.254"), OutIndex = r0.Index, Mtu = 1300 });
        var routes = _rtnl.Routes.List(System.Net.Sockets.AddressFamily.InterNetwork);
        var def = Assert.Single(routes, r => r.IsDefault);
        Assert.Equal(IPAddress.Parse("10.8.0.1"), def.Gateway);
        Assert.Equal(1300, Assert.Single(routes, r => r.Dst.ToString() == "172.20.0.0/16").Mtu);
        Assert.Contains("default via 10.8.0.1 dev r0", _ns.Ip_("route", "show"));
        _rtnl.Routes.Delete(def);
        Assert.DoesNotContain(_rtnl.Routes.List(), r => r.IsDefault);
    }

    [Fact]
    public void Missing_link_is_a_typed_not_found_error_naming_the_interface()
    {
        Assert.Null(_rtnl.Links.Find("nope0"));
        var e = Assert.Throws<NetlinkException>(() => _rtnl.Links.Get("nope0"));
        Assert.True(e.IsNotFound);
        Assert.Equal("nope0", e.Interface);
        var d = Assert.Throws<NetlinkException>(() => _rtnl.Links.Delete(99999, "ghost"));
        Assert.True(d.IsNotFound);
        Assert.Contains("ghost", d.Message);
    }

    [Fact]
    public void Duplicate_name_is_an_exists_error_and_extended_ack_is_captured()
    {
        _rtnl.Links.Create(new BridgeSpec("dup0"));
        var e = Assert.Throws<NetlinkException>(() => _rtnl.Links.Create(new BridgeSpec("dup0")));
        Assert.True(e.IsExists);
        var link = _rtnl.Links.Get("dup0");
        var mtu = Assert.Throws<NetlinkException>(() => _rtnl.Links.SetMtu(link.Index, 70000, "dup0"));
        Assert.Equal(Errno.EINVAL, mtu.Errno);
        Assert.Contains("dup0", mtu.Message);
    }

    [Fact]
    public void Dump_of_many_links_spans_several_datagrams()
    {
        for (int i = 0; i < 120; i++) _rtnl.Links.Create(new BridgeSpec($"b{i}"));
        Assert.Equal(121, _rtnl.Links.List().Count); // + lo
    }
}

using System.Net;
using Cdd.Ipam.Config;

namespace Cdd.Ipam.Tests.Config;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PoolParserTests
{
    static PoolConfigException Refused(params SegmentJson[] segments) =>
        Assert.Throws<PoolConfigException>(() => Pools.Pool("p", segments));

    [Fact]
    public void A_valid_pool_keeps_every_field()
    {
        var json = Pools.Segment("seg-a", "10.1.0.0/24", "10.1.0.1", vlan: 42, nodeSelector: new() { ["rack"] = "a" }, ("10.1.0.10", "10.1.0.20"));
        json.Exclude = ["10.1.0.15", "10.1.0.16/31"];
        json.Routes = [new RouteSpecJson { Dst = "0.0.0.0/0" }, new RouteSpecJson { Dst = "192.168.0.0/16", Gw = "10.1.0.254" }];
        var pool = Pools.Pool("p", json, Pools.Segment("v6", "fd00:1::/64", "fd00:1::1"));

        var s = pool.Segments[0];
        Assert.Equal("p", pool.Name);
        Assert.Equal("10.1.0.0/24", s.Subnet.ToString());
        Assert.Equal(IPAddress.Parse("10.1.0.1"), s.Gateway);
        Assert.Equal(42, s.Vlan);
        Assert.Equal(IPAddress.Parse("10.1.0.10"), s.Ranges[0].Start);
        Assert.Equal(2, s.Exclude.Count);
        Assert.Equal(IPAddress.Parse("10.1.0.254"), s.Routes[1].Gw);
        Assert.Equal("a", s.NodeSelector["rack"]);
        Assert.Equal("fd00:1::/64", pool.Segments[1].Subnet.ToString());
    }

    [Fact]
    public void A_missing_pool_name_names_the_field() =>
        Assert.Equal("pool.name", Assert.Throws<PoolConfigException>(() => PoolParser.Parse(new PoolJson { Segments = [Pools.Segment("a", "10.0.0.0/24")] })).Field);

    [Fact]
    public void A_pool_name_that_cannot_be_an_object_name_is_refused() =>
        Assert.Equal("pool.name", Assert.Throws<PoolConfigException>(() => Pools.Pool("My_Pool", Pools.Segment("a", "10.0.0.0/24"))).Field);

    [Fact]
    public void A_pool_without_segments_is_refused() =>
        Assert.Equal("pool.segments", Assert.Throws<PoolConfigException>(() => PoolParser.Parse(new PoolJson { Name = "p", Segments = [] })).Field);

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void A_subnet_of_every_address_is_refused(string subnet) =>
        Assert.Equal("pool.segments[0].subnet", Refused(Pools.Segment("a", subnet)).Field);

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0")]
    [InlineData("10.0.0.0/24", "10.0.0.255")]
    [InlineData("fd00:1::/64", "fd00:1::")]
    public void A_gateway_on_the_network_or_broadcast_address_is_refused(string subnet, string gateway) =>
        Assert.Equal("pool.segments[0].gateway", Refused(Pools.Segment("a", subnet, gateway)).Field);

    [Fact]
    public void A_gateway_on_a_point_to_point_31_is_a_host() =>
        Assert.Equal(IPAddress.Parse("10.0.0.0"), Pools.Pool("p", Pools.Segment("a", "10.0.0.0/31", "10.0.0.0")).Segments[0].Gateway);

    [Theory]
    [InlineData("10.0.0.0", "pool.segments[0].subnet")]
    [InlineData("10.0.0.5/24", "pool.segments[0].subnet")]
    [InlineData("fd00::1/64", "pool.segments[0].subnet")]
    public void A_bad_or_non_canonical_subnet_is_refused(string subnet, string field) =>
        Assert.Equal(field, Refused(Pools.Segment("a", subnet)).Field);

    [Fact]
    public void Host_bits_in_a_subnet_are_named_with_the_fix()
    {
        var ex = Refused(Pools.Segment("a", "10.0.0.5/24"));
        Assert.Contains("10.0.0.0/24", ex.Message);
    }

    [Theory]
    [InlineData("10.9.0.1")]
    [InlineData("fd00::1")]
    [InlineData("10.0.1")]
    public void A_gateway_outside_the_subnet_or_of_another_family_is_refused(string gateway) =>
        Assert.Equal("pool.segments[0].gateway", Refused(Pools.Segment("a", "10.0.0.0/24", gateway)).Field);

    [Theory]
    [InlineData(-1)]
    [InlineData(4095)]
    public void A_vlan_outside_0_to_4094_is_refused(int vlan) =>
        Assert.Equal("pool.segments[0].vlan", Refused(Pools.Segment("a", "10.0.0.0/24", vlan: vlan)).Field);

    [Fact]
    public void Vlan_4094_is_accepted() => Assert.Equal(4094, Pools.Pool("p", Pools.Segment("a", "10.0.0.0/24", vlan: 4094)).Segments[0].Vlan);

    [Fact]
    public void A_range_outside_the_subnet_names_its_end() =>
        Assert.Equal("pool.segments[0].ranges[0].end", Refused(Pools.Segment("a", "10.0.0.0/24", ranges: ("10.0.0.10", "10.0.1.5"))).Field);

    [Fact]
    public void A_backwards_range_is_refused() =>
        Assert.Equal("pool.segments[0].ranges[0]", Refused(Pools.Segment("a", "10.0.0.0/24", ranges: ("10.0.0.20", "10.0.0.10"))).Field);

    [Fact]
    public void Overlapping_ranges_are_refused() =>
        Assert.Equal("pool.segments[0].ranges[1]", Refused(Pools.Segment("a", "10.0.0.0/24", ranges: [("10.0.0.10", "10.0.0.20"), ("10.0.0.20", "10.0.0.30")])).Field);

    [Fact]
    public void Overlapping_segments_are_refused()
    {
        var ex = Refused(Pools.Segment("a", "10.0.0.0/16"), Pools.Segment("b", "10.0.5.0/24"));
        Assert.Equal("pool.segments[1].subnet", ex.Field);
        Assert.Contains("\"a\"", ex.Message);
    }

    [Fact]
    public void Duplicate_segment_names_are_refused() =>
        Assert.Equal("pool.segments[1].name", Refused(Pools.Segment("a", "10.0.0.0/24"), Pools.Segment("a", "10.1.0.0/24")).Field);

    [Fact]
    public void A_segment_with_no_allocatable_address_is_refused()
    {
        var json = Pools.Segment("a", "10.0.0.0/30", "10.0.0.1");
        json.Exclude = ["10.0.0.2"];
        Assert.Equal("pool.segments[0]", Refused(json).Field);
    }

    [Fact]
    public void A_route_of_the_other_family_is_refused()
    {
        var json = Pools.Segment("a", "10.0.0.0/24");
        json.Routes = [new RouteSpecJson { Dst = "::/0" }];
        Assert.Equal("pool.segments[0].routes[0].dst", Refused(json).Field);
    }

    [Fact]
    public void A_bad_exclude_names_its_index()
    {
        var json = Pools.Segment("a", "10.0.0.0/24");
        json.Exclude = ["10.0.0.3", "nonsense"];
        Assert.Equal("pool.segments[0].exclude[1]", Refused(json).Field);
    }
}

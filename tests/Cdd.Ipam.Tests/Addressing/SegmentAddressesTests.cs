using System.Net;
using Cdd.Ipam.Addressing;

namespace Cdd.Ipam.Tests.Addressing;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class SegmentAddressesTests
{
    static SegmentAddresses Of(Config.SegmentJsonBuilder b) => new(Pools.Pool("p", b.Json).Segments[0]);

    static string[] All(SegmentAddresses s, string? cursor = null) =>
        [.. s.From(cursor is null ? null : IPAddress.Parse(cursor)).Select(a => a.ToString())];

    [Fact]
    public void Network_broadcast_and_gateway_are_never_handed_out()
    {
        var s = Of(new("10.0.0.0/29", "10.0.0.1"));
        Assert.Equal(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"], All(s));
    }

    [Fact]
    public void Excluded_addresses_and_prefixes_are_skipped()
    {
        var s = Of(new Config.SegmentJsonBuilder("10.0.0.0/28").Excluding("10.0.0.3", "10.0.0.8/30"));
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.12", "10.0.0.13", "10.0.0.14"], All(s));
    }

    [Fact]
    public void Only_the_ranges_are_handed_out_when_there_are_ranges()
    {
        var s = Of(new Config.SegmentJsonBuilder("10.0.0.0/24").Ranging(("10.0.0.250", "10.0.0.255"), ("10.0.0.10", "10.0.0.11")));
        // Sorted by address; the broadcast at the end of the last range is still skipped.
        Assert.Equal(["10.0.0.10", "10.0.0.11", "10.0.0.250", "10.0.0.251", "10.0.0.252", "10.0.0.253", "10.0.0.254"], All(s));
    }

    [Fact]
    public void The_walk_starts_after_the_cursor_and_wraps_around()
    {
        var s = Of(new("10.0.0.0/29", "10.0.0.1"));
        Assert.Equal(["10.0.0.5", "10.0.0.6", "10.0.0.2", "10.0.0.3", "10.0.0.4"], All(s, "10.0.0.4"));
    }

    [Fact]
    public void A_cursor_in_a_gap_between_ranges_continues_with_the_next_range()
    {
        var s = Of(new Config.SegmentJsonBuilder("10.0.0.0/24").Ranging(("10.0.0.10", "10.0.0.11"), ("10.0.0.20", "10.0.0.21")));
        Assert.Equal(["10.0.0.20", "10.0.0.21", "10.0.0.10", "10.0.0.11"], All(s, "10.0.0.15"));
    }

    [Fact]
    public void Ipv6_skips_the_subnet_router_anycast_address_and_is_walked_lazily()
    {
        var s = Of(new("fd00:1::/64", "fd00:1::1"));
        Assert.Equal(["fd00:1::2", "fd00:1::3"], s.From(null).Take(2).Select(a => a.ToString()));
        Assert.Equal(1000UL, s.Count(cap: 1000));
    }

    [Fact]
    public void An_excluded_block_of_a_huge_ipv6_subnet_is_jumped_over()
    {
        var s = Of(new Config.SegmentJsonBuilder("fd00:1::/64").Excluding("fd00:1::/65"));
        Assert.Equal("fd00:1:0:0:8000::", s.From(null).First().ToString());
    }

    [Fact]
    public void A_slash_31_hands_out_both_addresses()
    {
        var s = Of(new("10.0.0.0/31"));
        Assert.Equal(["10.0.0.0", "10.0.0.1"], All(s));
    }

    [Theory]
    [InlineData("10.0.0.0", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("10.0.0.2", true)]
    [InlineData("10.0.0.7", false)]
    [InlineData("10.0.1.2", false)]
    [InlineData("fd00::2", false)]
    public void Is_allocatable_agrees_with_the_walk(string address, bool expected) =>
        Assert.Equal(expected, Of(new("10.0.0.0/29", "10.0.0.1")).IsAllocatable(IPAddress.Parse(address)));
}

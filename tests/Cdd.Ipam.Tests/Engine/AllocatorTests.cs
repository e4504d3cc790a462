using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Tests.Engine;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class AllocatorTests
{
    static readonly IpPool Racks = Pools.TwoRacks();

    static AllocationRequest Req(NodeView node, string container = "c1", FixedIdentity? fixedId = null, string? requested = null) => new()
    {
        Pool = Racks,
        Node = node,
        Owner = new Owner(container, "eth0"),
        Fixed = fixedId,
        Requested = requested is null ? null : IPAddress.Parse(requested),
    };

    static Reservation Held(string address, string segment, string container, FixedIdentity? fixedId = null) => new()
    {
        Pool = Racks.Name,
        Segment = segment,
        Address = IPAddress.Parse(address),
        Owner = container == "" ? null : new Owner(container, "eth0"),
        Fixed = fixedId,
    };

    static PoolSnapshot Snap(params Reservation[] rs) => new(rs, new Dictionary<string, IPAddress>());

    [Fact]
    public void A_node_gets_its_untagged_segment_first()
    {
        var plan = Allocator.Plan(Req(Pools.Node("n1", "b", 100, 200)), PoolSnapshot.Empty);
        var first = plan.Candidates.First();
        Assert.Equal("seg-b", first.Segment.Name);
        Assert.Equal(IPAddress.Parse("10.20.0.2"), first.Address);
    }

    [Fact]
    public void Tagged_segments_follow_the_untagged_ones()
    {
        var segments = Allocator.SegmentsFor(Pools.Node("n1", "b", 100), Racks);
        Assert.Equal(["seg-b", "seg-a"], segments.Select(s => s.Name));
    }

    [Fact]
    public void A_segment_whose_vlan_the_trunk_lacks_is_not_offered() =>
        Assert.Equal(["seg-b"], Allocator.SegmentsFor(Pools.Node("n1", "b", 300), Racks).Select(s => s.Name));

    [Fact]
    public void A_node_that_reaches_no_segment_is_told_so_with_the_pool_name()
    {
        var ex = Assert.Throws<IpamException>(() => Allocator.Plan(Req(Pools.Node("lonely")), PoolSnapshot.Empty));
        Assert.Equal(IpamErrorKind.SegmentUnreachable, ex.Kind);
        Assert.Contains("mysql", ex.Message);
        Assert.Contains("lonely", ex.Message);
    }

    [Fact]
    public void Taken_addresses_are_skipped_and_the_cursor_moves_the_start()
    {
        var snap = new PoolSnapshot([Held("10.10.0.5", "seg-a", "x")], new Dictionary<string, IPAddress> { ["seg-a"] = IPAddress.Parse("10.10.0.4") });
        var first = Allocator.Plan(Req(Pools.Node("n", "a")), snap).Candidates.First();
        Assert.Equal(IPAddress.Parse("10.10.0.6"), first.Address);
    }

    [Fact]
    public void A_retried_add_gets_what_the_attachment_already_holds()
    {
        var plan = Allocator.Plan(Req(Pools.Node("n", "a"), "c1"), Snap(Held("10.10.0.9", "seg-a", "c1")));
        Assert.Equal(IPAddress.Parse("10.10.0.9"), plan.Existing!.Address);
    }

    [Fact]
    public void A_fixed_identity_gets_its_bound_address_on_another_node_through_the_trunk()
    {
        var id = FixedIdentity.Member("db", "mysql", 0);
        var plan = Allocator.Plan(Req(Pools.Node("nb", "b", 100), "new", id), Snap(Held("10.10.0.7", "seg-a", "", id)));
        Assert.Equal(IPAddress.Parse("10.10.0.7"), plan.Existing!.Address);
    }

    [Fact]
    public void A_fixed_identity_on_a_node_that_cannot_reach_its_segment_is_refused()
    {
        var id = FixedIdentity.Member("db", "mysql", 0);
        var ex = Assert.Throws<IpamException>(() => Allocator.Plan(Req(Pools.Node("nb", "b"), "new", id), Snap(Held("10.10.0.7", "seg-a", "", id))));
        Assert.Equal(IpamErrorKind.SegmentUnreachable, ex.Kind);
        Assert.Contains("db/mysql-0", ex.Message);
        Assert.Contains("vlan 100", ex.Message);
    }

    [Fact]
    public void A_requested_address_is_the_only_candidate()
    {
        var plan = Allocator.Plan(Req(Pools.Node("n", "a"), requested: "10.10.0.50"), PoolSnapshot.Empty);
        Assert.True(plan.IsRequested);
        Assert.Equal([IPAddress.Parse("10.10.0.50")], plan.Candidates.Select(c => c.Address));
    }

    [Theory]
    [InlineData("10.99.0.5", IpamErrorKind.AddressNotInPool)]
    [InlineData("10.10.0.1", IpamErrorKind.AddressNotInPool)]
    [InlineData("10.10.0.255", IpamErrorKind.AddressNotInPool)]
    [InlineData("10.20.0.5", IpamErrorKind.SegmentUnreachable)]
    [InlineData("10.10.0.9", IpamErrorKind.AddressTaken)]
    public void A_requested_address_that_cannot_be_given_is_refused_with_its_reason(string requested, IpamErrorKind kind)
    {
        var ex = Assert.Throws<IpamException>(() => Allocator.Plan(Req(Pools.Node("n", "a"), "c2", requested: requested), Snap(Held("10.10.0.9", "seg-a", "other"))));
        Assert.Equal(kind, ex.Kind);
        Assert.Contains(requested, ex.Message);
    }

    [Theory]
    [InlineData("mysql-0", "mysql", 0)]
    [InlineData("mysql-12", "mysql", 12)]
    [InlineData("my-sql-3", "my-sql", 3)]
    public void A_statefulset_member_name_gives_its_identity(string pod, string set, int ordinal) =>
        Assert.Equal(FixedIdentity.Member("db", set, ordinal), FixedIdentity.FromPodName("db", pod, ["mysql", "my-sql"]));

    [Theory]
    [InlineData("mysql")]
    [InlineData("mysql-")]
    [InlineData("mysql-01")]
    [InlineData("mysql-x")]
    [InlineData("other-0")]
    [InlineData("mysql-7f9c4-abcde")]
    public void Other_pod_names_are_not_members(string pod) =>
        Assert.Null(FixedIdentity.FromPodName("db", pod, ["mysql"]));
}

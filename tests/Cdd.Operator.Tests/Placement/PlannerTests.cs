using Cdd.Operator.Placement;
using static Cdd.Operator.Tests.Placement.Fixtures;

namespace Cdd.Operator.Tests.Placement;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class PlannerTests
{
    private static Planner Planner(params NodeInventory[] nodes) => new(nodes, []);

    [Fact]
    public void Three_clusters_on_three_hosts_put_their_primaries_on_three_different_hosts()
    {
        var p = Planner(Node("n1"), Node("n2"), Node("n3"));
        var primaries = new[] { "x", "y", "z" }.Select(c => p.Place(Cluster(c)).Members.Single(m => m.IsPrimary).Node).ToList();
        Assert.Equal(["n1", "n2", "n3"], primaries.Order());
        Assert.All(p.Hosts, h => Assert.Equal(3, h.Members));
    }

    [Fact]
    public void An_sriov_cluster_skips_nodes_without_a_free_vf_and_says_why()
    {
        var p = Planner(Node("n1"), Node("n2", vfs: 0), Node("n3"));
        Assert.Equal(["network: no free SR-IOV VF"], p.Filter("n2", Cluster("x", members: 1)));
        var r = p.Place(Cluster("x", members: 1));
        Assert.True(r.Placed);
        Assert.Equal(["n1", "n3"], r.Eligible);
    }

    [Fact]
    public void Sriov_members_use_up_vfs_so_the_next_cluster_is_refused_on_that_node()
    {
        var p = Planner(Node("n1", vfs: 1));
        Assert.True(p.Place(Cluster("x", members: 1)).Placed);
        var second = p.Place(Cluster("y", members: 1));
        Assert.False(second.Placed);
        Assert.Equal(["network: no free SR-IOV VF"], second.Rejections["n1"]);
    }

    [Fact]
    public void Macvlan_and_overlay_need_their_capability_on_the_node()
    {
        var p = Planner(Node("n1", macvlan: false, overlay: false));
        Assert.Equal(["network: no MacVLAN master"], p.Filter("n1", Cluster("x", mode: NetworkMode.Macvlan)));
        Assert.Equal(["network: not on the overlay"], p.Filter("n1", Cluster("x", mode: NetworkMode.Overlay)));
    }

    [Fact]
    public void Storage_must_be_reachable_and_have_room_for_the_volume()
    {
        var p = Planner(Node("n1", storage: new StorageCapacity("san-gold", 50 * Gi)));
        Assert.Equal(["storage: class \"local-lvm\" not reachable"], p.Filter("n1", Cluster("x")));
        var tooBig = p.Filter("n1", Cluster("x", storageClass: "san-gold", storage: 51 * Gi));
        Assert.Equal([$"storage: class \"san-gold\" has {50 * Gi} bytes free, needs {51 * Gi}"], tooBig);
        Assert.Empty(p.Filter("n1", Cluster("x", storageClass: "san-gold", storage: 50 * Gi)));
    }

    [Fact]
    public void The_cpu_ceiling_admits_exactly_150_percent_of_allocatable_and_not_one_millicore_more()
    {
        var p = Planner(Node("n1", cpu: 12_000, mysqlCpu: 14_000));
        Assert.Empty(p.Filter("n1", Cluster("x", cpu: 4000)));
        Assert.Equal(["cpu: 14000m committed + 4001m > 1.5 × 12000m allocatable"], p.Filter("n1", Cluster("x", cpu: 4001)));
    }

    [Fact]
    public void A_node_over_its_cpu_pressure_breaker_gets_no_member_and_the_reason_names_the_breaker()
    {
        var p = Planner(Node("hot", pressure: new Pressure(0.9, 0, 0, 0)), Node("n2"), Node("n3"), Node("n4"));
        Assert.Equal(["circuit breaker: cpu pressure 0.9 ≥ 0.85"], p.Filter("hot", Cluster("x")));
        var r = p.Place(Cluster("x"));
        Assert.DoesNotContain(r.Members, m => m.Node == "hot");
        Assert.DoesNotContain("hot", r.Eligible);
    }

    [Fact]
    public void Each_breaker_trips_at_its_threshold_and_not_below()
    {
        var b = BreakerThresholds.Default;
        Assert.Null(b.Tripped(new Pressure(0.849, 0.899, 0.799, 0.849)));
        Assert.Contains("cpu", b.Tripped(new Pressure(0.85, 0, 0, 0)));
        Assert.Contains("memory", b.Tripped(new Pressure(0, 0.90, 0, 0)));
        Assert.Contains("network", b.Tripped(new Pressure(0, 0, 0.80, 0)));
        Assert.Contains("disk", b.Tripped(new Pressure(0, 0, 0, 0.85)));
    }

    [Fact]
    public void An_unplaceable_cluster_names_every_failed_filter_of_every_node()
    {
        var p = Planner(Node("n1", zone: "b", vfs: 0), Node("n2", pressure: new Pressure(0, 0, 0.95, 0)));
        var r = p.Place(Cluster("x", zones: ["a"]));
        Assert.False(r.Placed);
        Assert.Equal("cluster \"x\" needs 3 more node(s) for 3 member(s), 0 eligible", r.Failure);
        Assert.Equal(["network: no free SR-IOV VF", "zone: \"b\" not in [a]"], r.Rejections["n1"]);
        Assert.Equal(["circuit breaker: network pressure 0.95 ≥ 0.8"], r.Rejections["n2"]);
        Assert.Empty(r.Members);
        Assert.All(p.Hosts, h => Assert.Equal(0, h.Members));
    }

    [Fact]
    public void Members_spread_over_zones_before_they_prefer_a_less_loaded_node()
    {
        var p = Planner(Node("a1", zone: "a"), Node("a2", zone: "a"), Node("a3", zone: "a"),
            Node("b1", zone: "b", mysqlCpu: 20_000), Node("c1", zone: "c", mysqlCpu: 20_000));
        var nodes = p.Place(Cluster("x")).Members.Select(m => m.Node).Order();
        Assert.Equal(["a1", "b1", "c1"], nodes);
    }

    [Fact]
    public void Secondaries_prefer_the_less_cpu_committed_node()
    {
        var p = Planner(Node("busy", mysqlCpu: 12_000), Node("idle"));
        Assert.Equal("idle", p.Place(Cluster("x", members: 1)).Members.Single().Node);
    }

    [Fact]
    public void A_host_full_of_sriov_members_loses_a_new_sriov_member_to_a_host_carrying_overlay()
    {
        var p = new Planner([Node("n1"), Node("n2")],
            [new ExistingMember("old1", "n1", MemberRole.Secondary, NetworkMode.Sriov, "san-gold"),
             new ExistingMember("old2", "n2", MemberRole.Secondary, NetworkMode.Overlay, "san-gold")]);
        Assert.Equal("n2", p.Place(Cluster("x", members: 1)).Members.Single().Node);
        Assert.Equal("n1", p.Place(Cluster("y", members: 1, mode: NetworkMode.Overlay)).Members.Single().Node);
    }

    [Fact]
    public void Scaling_three_to_five_keeps_the_members_and_the_primary_and_adds_two_secondaries_elsewhere()
    {
        var p = Planner(Node("n1"), Node("n2"), Node("n3"), Node("n4"), Node("n5"), Node("n6"));
        var three = p.Place(Cluster("x"));
        var five = p.Place(Cluster("x", members: 5));
        Assert.True(five.Placed);
        Assert.Equal(three.Members.Select(m => m with { IsNew = false }), five.Members.Take(3));
        Assert.Equal(2, five.Members.Count(m => m.IsNew && !m.IsPrimary));
        Assert.Equal(5, five.Members.Select(m => m.Node).Distinct().Count());
        Assert.Equal(5, p.Hosts.Count(h => h.Clusters.ContainsKey("x")));
    }

    [Fact]
    public void New_members_of_a_running_cluster_without_a_reported_primary_join_as_secondaries()
    {
        var p = new Planner([Node("n1"), Node("n2"), Node("n3")], [new ExistingMember("x", "n1", MemberRole.Secondary)]);
        var r = p.Place(Cluster("x"));
        Assert.True(r.Placed);
        Assert.DoesNotContain(r.Members, m => m.IsPrimary);
        Assert.Equal(0, p.Hosts.Sum(h => h.Primaries));
    }

    [Fact]
    public void A_ceiling_below_one_keeps_cpu_headroom()
    {
        var p = Planner(Node("n1", cpu: 10_000, mysqlCpu: 4000));
        Assert.Empty(p.Filter("n1", Cluster("x", cpu: 4000, ceiling: 0.8)));
        Assert.Equal(["cpu: 4000m committed + 4001m > 0.8 × 10000m allocatable"], p.Filter("n1", Cluster("x", cpu: 4001, ceiling: 0.8)));
    }

    [Fact]
    public void An_existing_member_keeps_its_cluster_off_that_node_by_anti_affinity()
    {
        var p = new Planner([Node("n1"), Node("n2")], [new ExistingMember("x", "n1", MemberRole.Primary)]);
        Assert.Equal(["anti-affinity: already runs a member of \"x\""], p.Filter("n1", Cluster("x")));
    }

    [Fact]
    public void A_cluster_larger_than_asked_is_refused_as_scale_down()
    {
        var p = Planner(Node("n1"), Node("n2"), Node("n3"));
        p.Place(Cluster("x"));
        Assert.Contains("scaling down is not placement", p.Place(Cluster("x", members: 1)).Failure);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(11)]
    public void A_member_count_other_than_1_3_5_7_9_is_refused(int members)
    {
        var ex = Assert.Throws<ArgumentException>(() => Planner(Node("n1")).Place(Cluster("x", members: members)));
        Assert.Contains("members must be 1, 3, 5, 7 or 9", ex.Message);
    }

    [Fact]
    public void Inventory_with_a_node_twice_or_a_member_on_an_unknown_node_is_refused()
    {
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new Planner([Node("n1"), Node("n1")], [])).Message);
        Assert.Contains("unknown node \"n9\"", Assert.Throws<ArgumentException>(() => new Planner([Node("n1")], [new ExistingMember("x", "n9", MemberRole.Primary)])).Message);
        Assert.Contains("two primaries", Assert.Throws<ArgumentException>(() => new Planner([Node("n1"), Node("n2")],
            [new ExistingMember("x", "n1", MemberRole.Primary), new ExistingMember("x", "n2", MemberRole.Primary)])).Message);
    }
}

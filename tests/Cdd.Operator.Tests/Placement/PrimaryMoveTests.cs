using Cdd.Operator.Placement;
using static Cdd.Operator.Tests.Placement.Fixtures;

namespace Cdd.Operator.Tests.Placement;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class PrimaryMoveTests
{
    private static readonly Pressure Hot = new(0.95, 0.2, 0.2, 0.2);

    [Fact]
    public void A_primary_on_a_healthy_host_stays()
    {
        var p = new Planner([Node("n1"), Node("n2")], [new ExistingMember("x", "n1", MemberRole.Primary), new ExistingMember("x", "n2", MemberRole.Secondary)]);
        Assert.Equal(PrimaryMoveKind.Stay, p.DecidePrimaryMove("x", BreakerThresholds.Default).Kind);
    }

    [Fact]
    public void A_primary_on_an_overloaded_host_moves_to_the_secondary_on_the_host_with_fewest_primaries()
    {
        var p = new Planner([Node("n1", pressure: Hot), Node("n2"), Node("n3")],
            [new ExistingMember("x", "n1", MemberRole.Primary), new ExistingMember("x", "n2", MemberRole.Secondary), new ExistingMember("x", "n3", MemberRole.Secondary),
             new ExistingMember("y", "n2", MemberRole.Primary)]);
        var move = p.DecidePrimaryMove("x", BreakerThresholds.Default);
        Assert.Equal(new PrimaryMove(PrimaryMoveKind.Move, "n1", "n3", "primary host \"n1\": circuit breaker: cpu pressure 0.95 ≥ 0.85; promote the SECONDARY on \"n3\""), move);
        p.ApplyPrimaryMove("x", move);
        Assert.Equal(MemberRole.Primary, p.Host("n3").Clusters["x"]);
        Assert.Equal(MemberRole.Secondary, p.Host("n1").Clusters["x"]);
        Assert.Equal(0, p.Host("n1").Primaries);
    }

    [Fact]
    public void Among_equally_loaded_hosts_the_one_furthest_below_its_breakers_gets_the_primary()
    {
        var p = new Planner([Node("n1", pressure: Hot), Node("n2", pressure: new Pressure(0.7, 0, 0, 0)), Node("n3", pressure: new Pressure(0.3, 0, 0, 0))],
            [new ExistingMember("x", "n1", MemberRole.Primary), new ExistingMember("x", "n2", MemberRole.Secondary), new ExistingMember("x", "n3", MemberRole.Secondary)]);
        Assert.Equal("n3", p.DecidePrimaryMove("x", BreakerThresholds.Default).To);
    }

    [Fact]
    public void No_move_is_proposed_when_every_secondary_sits_on_an_overloaded_host()
    {
        var p = new Planner([Node("n1", pressure: Hot), Node("n2", pressure: new Pressure(0, 0, 0, 0.9))],
            [new ExistingMember("x", "n1", MemberRole.Primary), new ExistingMember("x", "n2", MemberRole.Secondary)]);
        var move = p.DecidePrimaryMove("x", BreakerThresholds.Default);
        Assert.Equal(PrimaryMoveKind.NoHealthySecondary, move.Kind);
        Assert.Null(move.To);
    }

    [Fact]
    public void A_cluster_without_a_reported_primary_gets_no_move()
    {
        var p = new Planner([Node("n1")], [new ExistingMember("x", "n1", MemberRole.Secondary)]);
        Assert.Equal(PrimaryMoveKind.NoPrimary, p.DecidePrimaryMove("x", BreakerThresholds.Default).Kind);
    }
}

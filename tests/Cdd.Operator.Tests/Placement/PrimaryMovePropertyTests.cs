using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Placement;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class PrimaryMovePropertyTests
{
    // Over random plans: for every placed cluster, a proposed move goes from the primary's tripped host to a member of
    // the same cluster on a host that trips nothing; after applying it the cluster still has exactly one primary and the
    // hosts' primary totals still add up to the number of clusters.
    [Fact]
    public void A_proposed_move_goes_to_a_secondary_of_the_cluster_on_a_healthy_host_and_keeps_one_primary()
    {
        int moves = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            var g = new Gen(seed);
            var nodes = g.Nodes();
            var planner = new Planner(nodes, []);
            var placed = new List<ClusterRequest>();
            for (int i = 0; i < g.Int(5, 40); i++)
            {
                // Breakers at placement are loose so members land on hosts that a stricter policy later finds overloaded.
                var r = g.Request($"c{i:D3}", 1.5, randomBreakers: false) with { Breakers = new BreakerThresholds(1, 1, 1, 1) };
                if (planner.Place(r).Placed) placed.Add(r);
            }
            var strict = new BreakerThresholds(g.Double(0.3, 0.9), g.Double(0.3, 0.9), g.Double(0.3, 0.9), g.Double(0.3, 0.9));
            foreach (var r in placed)
            {
                var members = planner.Hosts.Where(h => h.Clusters.ContainsKey(r.Name)).ToList();
                var primary = members.Single(h => h.Clusters[r.Name] == MemberRole.Primary);
                var move = planner.DecidePrimaryMove(r.Name, strict);
                bool primaryTripped = strict.IsTripped(primary.Node.Pressure);
                bool healthySecondary = members.Any(h => h != primary && !strict.IsTripped(h.Node.Pressure));
                var expected = !primaryTripped ? PrimaryMoveKind.Stay : healthySecondary ? PrimaryMoveKind.Move : PrimaryMoveKind.NoHealthySecondary;
                Assert.True(expected == move.Kind, $"seed {seed} {r.Name}: {move}");
                if (move.Kind != PrimaryMoveKind.Move) continue;
                moves++;
                Assert.Equal(primary.Name, move.From);
                Assert.Contains(members, h => h.Name == move.To && h != primary);
                Assert.False(strict.IsTripped(planner.Host(move.To!).Node.Pressure));
                planner.ApplyPrimaryMove(r.Name, move);
                Assert.Single(planner.Hosts, h => h.Clusters.TryGetValue(r.Name, out var role) && role == MemberRole.Primary);
                Assert.Equal(MemberRole.Primary, planner.Host(move.To!).Clusters[r.Name]);
            }
            Assert.Equal(placed.Count, planner.Hosts.Sum(h => h.Primaries));
        }
        Assert.True(moves > 100, $"only {moves} moves: the generator should overload many primaries");
    }
}

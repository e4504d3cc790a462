using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Placement;

/// <summary>
/// Invariants over random inventories and random sequences of cluster placements. The oracles here recompute from the
/// inputs and the results (not from the planner's own totals), so a booking bug in the planner shows up.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class PlannerPropertyTests
{
    private const int Seeds = 300;

    private sealed record Run(List<NodeInventory> Nodes, List<(ClusterRequest Request, PlacementResult Result)> Steps, double Ceiling);

    private static Run Plan(int seed, bool randomBreakers = true)
    {
        var g = new Gen(seed);
        var nodes = g.Nodes();
        var planner = new Planner(nodes, []);
        double ceiling = g.Ceiling();
        var steps = new List<(ClusterRequest, PlacementResult)>();
        int clusters = g.Int(5, 60);
        for (int i = 0; i < clusters; i++)
        {
            var request = g.Request($"c{i:D3}", ceiling, randomBreakers);
            steps.Add((request, planner.Place(request)));
        }
        return new Run(nodes, steps, ceiling);
    }

    private static IEnumerable<(ClusterRequest Request, PlacedMember Member)> NewMembers(Run run) =>
        run.Steps.Where(s => s.Result.Placed).SelectMany(s => s.Result.Members.Where(m => m.IsNew).Select(m => (s.Request, m)));

    [Fact]
    public void Members_of_one_cluster_never_share_a_host()
    {
        for (int seed = 0; seed < Seeds; seed++)
            foreach (var (request, result) in Plan(seed).Steps.Where(s => s.Result.Placed))
            {
                Assert.True(result.Members.Count == request.Members, $"seed {seed}: {request.Name} has {result.Members.Count} members, asked {request.Members}");
                Assert.True(result.Members.Select(m => m.Node).Distinct().Count() == result.Members.Count, $"seed {seed}: {request.Name} shares a host");
                Assert.True(result.Members.Count(m => m.IsPrimary) == 1, $"seed {seed}: {request.Name} does not have exactly one primary");
            }
    }

    // Every run uses one ceiling for all its clusters. Precisely: every host that received a new member ends with MySQL
    // CPU requests (inventory's + new members') ≤ ceiling × allocatable. A host whose inventory alone was already over the
    // ceiling is allowed to stay there, but receives nothing.
    [Fact]
    public void No_host_that_receives_a_member_ends_over_the_cpu_over_commit_ceiling()
    {
        int placedSomewhere = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var run = Plan(seed);
            var added = NewMembers(run).GroupBy(x => x.Member.Node).ToDictionary(g => g.Key, g => g.Sum(x => x.Request.CpuMillis));
            foreach (var n in run.Nodes.Where(n => added.ContainsKey(n.Name)))
            {
                long committed = n.MysqlCpuMillis + added[n.Name];
                Assert.True(committed <= (decimal)run.Ceiling * n.AllocatableCpuMillis,
                    $"seed {seed}: {n.Name} has {committed}m on {n.AllocatableCpuMillis}m at ceiling {run.Ceiling}");
                placedSomewhere++;
            }
        }
        Assert.True(placedSomewhere > Seeds, "the generator should place members on many hosts");
    }

    [Fact]
    public void Memory_vfs_and_storage_are_never_booked_beyond_what_the_node_has()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            var run = Plan(seed);
            var byNode = NewMembers(run).GroupBy(x => x.Member.Node).ToDictionary(g => g.Key, g => g.Select(x => x.Request).ToList());
            foreach (var n in run.Nodes.Where(n => byNode.ContainsKey(n.Name)))
            {
                var rs = byNode[n.Name];
                Assert.True(n.MysqlMemoryBytes + rs.Sum(r => r.MemoryBytes) <= n.AllocatableMemoryBytes, $"seed {seed}: {n.Name} memory over allocatable");
                Assert.True(rs.Count(r => r.Mode == NetworkMode.Sriov) <= n.Network.FreeSriovVfs, $"seed {seed}: {n.Name} more SR-IOV members than VFs");
                foreach (var c in rs.GroupBy(r => r.StorageClass))
                {
                    var free = n.Storage.SingleOrDefault(s => s.StorageClass == c.Key);
                    Assert.True(free is not null && c.Sum(r => r.StorageBytes) <= free.FreeBytes, $"seed {seed}: {n.Name} storage class {c.Key} over capacity");
                }
                Assert.True(rs.Where(r => r.Mode == NetworkMode.Macvlan).All(_ => n.Network.MacvlanMaster), $"seed {seed}: macvlan member on {n.Name} without a master");
                Assert.True(rs.Where(r => r.Mode == NetworkMode.Overlay).All(_ => n.Network.Overlay), $"seed {seed}: overlay member on {n.Name} off the overlay");
            }
        }
    }

    [Fact]
    public void A_node_tripping_a_circuit_breaker_gets_no_new_member()
    {
        int tripped = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var run = Plan(seed);
            var nodes = run.Nodes.ToDictionary(n => n.Name);
            foreach (var (request, member) in NewMembers(run))
            {
                var p = nodes[member.Node].Pressure;
                var b = request.Breakers;
                Assert.False(p.Cpu >= b.Cpu || p.Memory >= b.Memory || p.Network >= b.Network || p.Disk >= b.Disk,
                    $"seed {seed}: {request.Name} placed on {member.Node} whose pressure {p} trips {b}");
            }
            tripped += run.Steps.Sum(s => run.Nodes.Count(n => s.Request.Breakers.Tripped(n.Pressure) is not null));
        }
        Assert.True(tripped > Seeds, "the generator should trip breakers often");
    }

    [Fact]
    public void A_zone_restricted_cluster_lands_only_in_its_zones()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            var run = Plan(seed);
            var zone = run.Nodes.ToDictionary(n => n.Name, n => n.Zone);
            foreach (var (request, member) in NewMembers(run).Where(x => x.Request.Zones.Count > 0))
                Assert.Contains(zone[member.Node], request.Zones);
        }
    }

    // The guarantee that holds for any inventory: each new primary lands on a host with the fewest primaries among the
    // hosts eligible for that cluster at that moment (eligible = not rejected by a filter).
    [Fact]
    public void Each_new_primary_lands_on_an_eligible_host_with_the_fewest_primaries()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            var run = Plan(seed);
            var primaries = run.Nodes.ToDictionary(n => n.Name, _ => 0);
            foreach (var (request, result) in run.Steps.Where(s => s.Result.Placed))
            {
                var eligible = result.Eligible;
                var primary = result.Members.Single(m => m.IsPrimary).Node;
                Assert.True(primaries[primary] == eligible.Min(n => primaries[n]),
                    $"seed {seed}: {request.Name}'s primary on {primary} with {primaries[primary]} primaries, an eligible host has {eligible.Min(n => primaries[n])}");
                primaries[primary]++;
            }
        }
    }

    // What follows from the guarantee above when the eligible set does not change: with ample capacity, no breakers
    // tripped and all clusters asking for the same network mode and storage class, every host stays eligible, and after
    // every placement primaries per host differ by at most one (so no host has more than ⌈primaries/hosts⌉).
    [Fact]
    public void With_every_host_eligible_primaries_per_host_differ_by_at_most_one()
    {
        for (int seed = 0; seed < Seeds; seed++)
        {
            var g = new Gen(seed);
            var nodes = Enumerable.Range(0, g.Int(3, 25)).Select(i => new NodeInventory(
                $"node-{i:D3}", g.Pick(Gen.ZoneNames), g.Int(32, 64) * 100_000L, 1L << 50, 0, 0,
                new NodeNetwork(1000, true, true), [new StorageCapacity("local-lvm", 1L << 60)],
                new Pressure(g.Double(0, 0.5), g.Double(0, 0.5), g.Double(0, 0.5), g.Double(0, 0.5)))).ToList();
            var planner = new Planner(nodes, []);
            var mode = g.Pick(Enum.GetValues<NetworkMode>());
            int placed = 0;
            for (int i = 0; i < g.Int(1, 120); i++)
            {
                int members = g.Pick(new[] { 1, 3, 5, 7, 9 }.Where(m => m <= nodes.Count).ToArray());
                var result = planner.Place(new ClusterRequest($"c{i}", members, mode, "local-lvm", g.Int(1, 100) * Gen.Gi,
                    g.Int(1, 16) * 1000L, g.Int(1, 64) * Gen.Gi, [], 1.5, BreakerThresholds.Default));
                Assert.True(result.Placed, $"seed {seed}: {result.Failure}");
                placed++;
                var counts = planner.Hosts.Select(h => h.Primaries).ToList();
                Assert.True(counts.Max() - counts.Min() <= 1, $"seed {seed} after {placed}: primaries per host {string.Join(",", counts)}");
                Assert.True(counts.Max() <= (placed + nodes.Count - 1) / nodes.Count, $"seed {seed}: a host over ⌈{placed}/{nodes.Count}⌉ primaries");
            }
        }
    }

    [Fact]
    public void A_cluster_fails_only_when_fewer_nodes_pass_the_filters_than_it_needs()
    {
        int failures = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var run = Plan(seed);
            foreach (var (request, result) in run.Steps.Where(s => !s.Result.Placed))
            {
                failures++;
                Assert.True(run.Nodes.Count - result.Rejections.Count < request.Members, $"seed {seed}: {request.Name} refused with enough eligible nodes");
                Assert.Equal(run.Nodes.Select(n => n.Name).Where(n => !result.Rejections.ContainsKey(n)), result.Eligible);
                Assert.All(result.Rejections.Values, reasons => Assert.NotEmpty(reasons));
                Assert.Empty(result.Members);
            }
        }
        Assert.True(failures > 0, "the generator should produce unplaceable clusters too");
    }

    [Fact]
    public void The_same_inputs_give_the_same_plan()
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var a = Plan(seed).Steps.Select(s => string.Join(";", s.Result.Members.Select(m => $"{m.Node}{(m.IsPrimary ? "*" : "")}")));
            var b = Plan(seed).Steps.Select(s => string.Join(";", s.Result.Members.Select(m => $"{m.Node}{(m.IsPrimary ? "*" : "")}")));
            Assert.Equal(a, b);
        }
    }
}

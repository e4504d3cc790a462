using System.Diagnostics;
using Cdd.Operator.Placement;
using Xunit.Abstractions;

namespace Cdd.Operator.Tests.Placement;

/// <summary>The planning scale: 3,000 three-member clusters on 500 hosts, mixed modes and storage classes.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class PlannerScaleTests(ITestOutputHelper output)
{
    [Fact]
    public void Three_thousand_three_member_clusters_on_500_hosts_spread_primaries_within_one_and_stay_under_the_ceiling()
    {
        var g = new Gen(42);
        var nodes = Enumerable.Range(0, 500).Select(i => new NodeInventory(
            $"host-{i:D3}", Gen.ZoneNames[i % 3], 64_000, 512 * Gen.Gi, 0, 0,
            new NodeNetwork(64, true, true), Gen.Classes.Select(c => new StorageCapacity(c, 100_000 * Gen.Gi)).ToList(),
            new Pressure(g.Double(0, 0.8), g.Double(0, 0.8), g.Double(0, 0.7), g.Double(0, 0.8)))).ToList();
        var planner = new Planner(nodes, []);
        var requests = Enumerable.Range(0, 3000).Select(i => new ClusterRequest($"c{i:D4}", 3,
            (NetworkMode)(i % 3), Gen.Classes[i / 3 % 3], 200 * Gen.Gi, 4000, 8 * Gen.Gi, [], 1.5, BreakerThresholds.Default)).ToList();

        var clock = Stopwatch.StartNew();
        var results = requests.Select(planner.Place).ToList();
        clock.Stop();

        Assert.All(results, r => Assert.True(r.Placed, r.Failure));
        var primaries = planner.Hosts.Select(h => h.Primaries).ToList();
        var cpu = planner.Hosts.Max(h => h.CpuCommittedFraction);
        output.WriteLine($"plan 3000 x 3 on 500 hosts: {clock.ElapsedMilliseconds} ms, primaries per host {primaries.Min()}..{primaries.Max()}, CPU committed max {cpu:P0}");
        Assert.True(primaries.Max() - primaries.Min() <= 1, $"primaries per host {primaries.Min()}..{primaries.Max()}");
        Assert.True(cpu <= 1.5, $"CPU committed max {cpu}");
    }
}

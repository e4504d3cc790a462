using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Placement;

/// <summary>
/// The rebalancer over many clusters and hosts (200 seeded runs): random placements of three-member clusters, random
/// host failures with MGR-like elections among the survivors, the failed hosts' members back as SECONDARY, then the
/// rebalancer's moves applied until it has none. Every move lowers Σ primaries², none touches a cluster that is not
/// all ONLINE, and the end state has no host above ⌈primaries / hosts⌉ + 1.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PrimaryRebalancerPropertyTests
{
    sealed class Clock : TimeProvider
    {
        DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }

    static List<BalanceCluster> Random(Random rng, int hosts, int clusters, out HashSet<string> unhealthy)
    {
        var list = new List<BalanceCluster>();
        unhealthy = [];
        for (int c = 0; c < clusters; c++)
        {
            var chosen = Enumerable.Range(0, hosts).OrderBy(_ => rng.Next()).Take(3).ToList();
            int primary = rng.Next(3);
            list.Add(new BalanceCluster($"db/c{c}", chosen.Select((h, i) => new BalanceMember($"c{c}-{i}", $"h{h:D3}", i == primary, "ONLINE")).ToList()));
        }
        // Host failures: their members go; a cluster whose primary went elects among the survivors (lowest name, as
        // equal weights make MGR do by server_uuid order: any survivor is fine here); the members come back as SECONDARY.
        var failed = Enumerable.Range(0, hosts).Where(_ => rng.NextDouble() < 0.15).Select(h => $"h{h:D3}").ToHashSet();
        for (int i = 0; i < list.Count; i++)
        {
            var c = list[i];
            if (c.Primary is { } p && failed.Contains(p.Host))
            {
                var survivors = c.Members.Where(m => !failed.Contains(m.Host)).ToList();
                string? next = survivors.Count > 0 ? survivors[rng.Next(survivors.Count)].Pod : null;
                list[i] = c with { Members = [.. c.Members.Select(m => m with { Primary = m.Pod == next })] };
            }
        }
        // Some clusters still have a member recovering: the rebalancer must leave them alone.
        for (int i = 0; i < list.Count; i++)
            if (rng.NextDouble() < 0.05)
            {
                var c = list[i];
                int r = rng.Next(3);
                list[i] = c with { Members = [.. c.Members.Select((m, k) => k == r && !m.Primary ? m with { State = "RECOVERING" } : m)] };
                if (!list[i].AllOnline) unhealthy.Add(c.Key);
            }
        return list;
    }

    static long Potential(IReadOnlyList<BalanceCluster> clusters) => PrimaryRebalancer.PrimariesPerHost(clusters).Values.Sum(v => (long)v * v);

    [Fact]
    public void After_failures_and_elections_the_rebalancer_reaches_the_bound_plus_one_in_bounded_moves_and_never_moves_an_unhealthy_group()
    {
        for (int seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            int hosts = rng.Next(5, 60), count = rng.Next(hosts, hosts * 4);
            var clusters = Random(rng, hosts, count, out var unhealthy);
            var clock = new Clock();
            var balancer = new PrimaryRebalancer(new RebalancerOptions { CoolDown = TimeSpan.FromMinutes(10), MovesPerMinute = 6 }, clock);
            long start = Potential(clusters), limit = start / 2 + 1;
            int moves = 0, idle = 0;
            while (idle < 30)
            {
                var move = balancer.Next(clusters, out _);
                if (move is null)
                {
                    idle++;
                    clock.Advance(TimeSpan.FromMinutes(1)); // cool-downs and the cap run out
                    continue;
                }
                idle = 0;
                Assert.DoesNotContain(move.Cluster, unhealthy);
                long before = Potential(clusters);
                int i = clusters.FindIndex(c => c.Key == move.Cluster);
                Assert.True(clusters[i].AllOnline, $"seed {seed}: {move.Cluster} is not all ONLINE");
                clusters[i] = clusters[i] with { Members = [.. clusters[i].Members.Select(m => m with { Primary = m.Pod == move.ToPod })] };
                balancer.Moved(move.Cluster);
                Assert.True(Potential(clusters) < before, $"seed {seed}: move {move} did not lower Σ primaries²");
                Assert.True(++moves <= limit, $"seed {seed}: more than {limit} moves");
                clock.Advance(TimeSpan.FromSeconds(5));
            }
            int bound = PrimaryRebalancer.Bound(clusters);
            // Hosts whose primaries belong only to unhealthy clusters may stay above: count the movable ones.
            var movable = clusters.Where(c => !unhealthy.Contains(c.Key)).ToList();
            var per = PrimaryRebalancer.PrimariesPerHost(movable);
            int unhealthyOn(string h) => clusters.Count(c => unhealthy.Contains(c.Key) && c.Primary?.Host == h);
            foreach (var (h, n) in per)
                Assert.True(n + unhealthyOn(h) <= bound + 1 || n == 0, $"seed {seed}: host {h} holds {n + unhealthyOn(h)} primaries, bound {bound} (+1)");
        }
    }

    [Fact]
    public void A_cluster_in_its_cool_down_and_the_per_minute_cap_hold_moves_back()
    {
        var clock = new Clock();
        var balancer = new PrimaryRebalancer(new RebalancerOptions { CoolDown = TimeSpan.FromMinutes(10), MovesPerMinute = 1 }, clock);
        List<BalanceCluster> clusters =
        [
            new("db/a", [new("a-0", "h1", true, "ONLINE"), new("a-1", "h2", false, "ONLINE"), new("a-2", "h3", false, "ONLINE")]),
            new("db/b", [new("b-0", "h1", true, "ONLINE"), new("b-1", "h2", false, "ONLINE"), new("b-2", "h3", false, "ONLINE")]),
            new("db/c", [new("c-0", "h1", true, "ONLINE"), new("c-1", "h2", false, "ONLINE"), new("c-2", "h3", false, "ONLINE")]),
        ];
        var first = balancer.Next(clusters, out _)!;
        Assert.Equal(("db/a", "h1", "h2"), (first.Cluster, first.FromHost, first.ToHost));
        balancer.Moved("db/a");
        clusters[0] = clusters[0] with { Members = [.. clusters[0].Members.Select(m => m with { Primary = m.Pod == "a-1" })] };
        Assert.Null(balancer.Next(clusters, out var why));
        Assert.Contains("cap 1", why);
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = balancer.Next(clusters, out _)!;
        Assert.Equal(("db/b", "h3"), (second.Cluster, second.ToHost));
        Assert.Contains("above the bound", second.Reason);
    }

    [Fact]
    public void A_group_with_a_member_not_online_is_never_moved()
    {
        var balancer = new PrimaryRebalancer();
        List<BalanceCluster> clusters =
        [
            new("db/a", [new("a-0", "h1", true, "ONLINE"), new("a-1", "h2", false, "RECOVERING"), new("a-2", "h3", false, "ONLINE")]),
            new("db/b", [new("b-0", "h1", true, "ONLINE"), new("b-1", "h2", false, "ONLINE"), new("b-2", "h3", false, "UNREACHABLE")]),
        ];
        Assert.Null(balancer.Next(clusters, out var why));
        Assert.Contains("db/a: not every member ONLINE", why);
    }
}

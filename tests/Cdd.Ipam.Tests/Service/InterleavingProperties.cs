using System.Net;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Testing.Ipam;

namespace Cdd.Ipam.Tests.Service;

/// <summary>
/// Hand-rolled property tests (the scenario is shared with the Kubernetes store's tests: Cdd.Testing's
/// InterleavingScenario): agents with lagging views over one strict in-memory store.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class InterleavingProperties
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 150)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task No_address_is_issued_twice_and_every_release_returns_what_was_taken(int seed)
    {
        var rng = new Random(seed);
        var truth = new MemoryStore();
        var views = InterleavingScenario.Nodes.Select(_ => new LaggingView(truth, rng, refreshChance: 0.3)).ToArray();
        await InterleavingScenario.RunAsync(rng, views, () => Task.FromResult(truth.All));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Agents_racing_on_threads_fill_a_pool_whose_size_equals_the_demand_without_duplicates(int seed)
    {
        var truth = new MemoryStore();
        var pool = Pools.Pool("race", Pools.Segment("s", "10.3.0.0/24", "10.3.0.1"));
        int capacity = (int)new SegmentAddresses(pool.Segments[0]).Count();
        const int agents = 8;
        var tasks = Enumerable.Range(0, agents).Select(a => Task.Run(async () =>
        {
            var view = new LaggingView(truth, new Random(seed * 100 + a), refreshChance: 0.2);
            var ipam = new IpamService(view, maxRounds: 64);
            var mine = new List<IPAddress>();
            for (int i = a; i < capacity; i += agents)
                mine.Add((await ipam.AllocateAsync(new AllocationRequest { Pool = pool, Node = Pools.Node($"n{a}"), Owner = new Owner($"a{a}-{i}", "eth0") })).Reservation.Address);
            return (mine, view.LostWrites);
        })).ToArray();
        var results = await Task.WhenAll(tasks);

        var all = results.SelectMany(r => r.mine).ToList();
        Assert.Equal(capacity, all.Count);
        Assert.Equal(capacity, all.Distinct().Count());
        Assert.Equal(capacity, truth.All.Count);
    }
}

using System.Net;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;

namespace Cdd.Ipam.Tests.Service;

/// <summary>
/// Hand-rolled property tests: each seed drives several agents with lagging views through a random sequence of
/// allocations, releases, stale DELs and fixed-identity restarts against one strict store. Lagging views make claims
/// collide, which is the conflict path.
/// </summary>
public sealed class InterleavingProperties
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 150)];

    static readonly IpPool Pool = Pools.Pool("prop",
        Pools.Segment("seg-a", "10.1.0.0/28", "10.1.0.1", vlan: 10, nodeSelector: new() { ["rack"] = "a" }),
        Pools.Segment("seg-b", "10.2.0.0/29", "10.2.0.1", vlan: 20, nodeSelector: new() { ["rack"] = "b" }));

    sealed record Held(string Container, IPAddress Address, FixedIdentity? Fixed);

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task No_address_is_issued_twice_and_every_release_returns_what_was_taken(int seed)
    {
        var rng = new Random(seed);
        var truth = new MemoryStore();
        NodeView[] nodes = [Pools.Node("na", "a", 20), Pools.Node("nb", "b", 10), Pools.Node("nc", "a")];
        var agents = nodes.Select(_ => new IpamService(new LaggingView(truth, rng, refreshChance: 0.3))).ToArray();
        var live = new Dictionary<string, Held>();
        var dead = new List<string>();
        var bindings = new Dictionary<FixedIdentity, IPAddress>();
        int next = 0;

        for (int step = 0; step < 120; step++)
        {
            int agent = rng.Next(agents.Length);
            int op = rng.Next(10);
            if (op < 5 || live.Count == 0)
            {
                string container = $"c{next++}";
                var id = rng.Next(3) == 0 ? FixedIdentity.Member("db", "mysql", rng.Next(4)) : null;
                if (id is not null && live.Values.Any(h => h.Fixed == id)) id = null; // a StatefulSet runs one pod per identity
                try
                {
                    var got = await agents[agent].AllocateAsync(new AllocationRequest
                    {
                        Pool = Pool, Node = nodes[agent], Owner = new Owner(container, "eth0"), Fixed = id,
                    });
                    var address = got.Reservation.Address;
                    Assert.DoesNotContain(live.Values, h => h.Address.Equals(address));
                    Assert.True(Pool.SegmentOf(address)!.Name == got.Segment.Name, $"{address} is not in {got.Segment.Name}");
                    if (id is not null)
                    {
                        if (bindings.TryGetValue(id, out var bound)) Assert.Equal(bound, address);
                        bindings[id] = address;
                    }
                    live[container] = new Held(container, address, id);
                }
                catch (IpamException ex) when (ex.Kind == IpamErrorKind.PoolExhausted)
                {
                    AssertFull(truth, nodes[agent]);
                }
                catch (IpamException ex) when (ex.Kind == IpamErrorKind.SegmentUnreachable)
                {
                    // Node nc has no trunk: it may only refuse an identity bound in a segment it really cannot reach.
                    var bound = Pool.SegmentOf(bindings[id!])!;
                    Assert.Equal(Reach.None, Reachability.Of(nodes[agent], bound));
                }
            }
            else if (op < 8)
            {
                var victim = live.Values.ElementAt(rng.Next(live.Count));
                var released = await agents[agent].ReleaseAsync(Pool.Name, victim.Container, "eth0");
                Assert.Equal(victim.Address, Assert.Single(released).Address);
                live.Remove(victim.Container);
                dead.Add(victim.Container);
            }
            else if (dead.Count > 0)
            {
                // A DEL repeated, or arriving after the pod's identity moved on: nothing of anyone else's goes.
                var before = truth.All.Select(r => r.Name).Order().ToList();
                var released = await agents[agent].ReleaseAsync(Pool.Name, dead[rng.Next(dead.Count)], "eth0");
                Assert.Empty(released);
                Assert.Equal(before, truth.All.Select(r => r.Name).Order());
            }

            // The store holds exactly the live attachments, plus the idle fixed bindings.
            var owned = truth.All.Where(r => r.Owner is not null).ToDictionary(r => r.Owner!.ContainerId, r => r.Address);
            Assert.Equal(live.Count, owned.Count);
            foreach (var h in live.Values) Assert.Equal(h.Address, owned[h.Container]);
            Assert.All(truth.All.Where(r => r.Owner is null), r => Assert.Equal(bindings[r.Fixed!], r.Address));
        }
    }

    /// <summary>"Exhausted" may only be said when every address of every segment the node reaches is in the store.</summary>
    static void AssertFull(MemoryStore truth, NodeView node)
    {
        var taken = truth.All.Select(r => r.Address).ToHashSet();
        foreach (var segment in Allocator.SegmentsFor(node, Pool))
            Assert.All(new SegmentAddresses(segment).From(null), a => Assert.Contains(a, taken));
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

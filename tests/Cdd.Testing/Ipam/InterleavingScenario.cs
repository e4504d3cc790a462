using System.Net;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Config;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Xunit;

namespace Cdd.Testing.Ipam;

/// <summary>
/// The interleaving property, for any store: each seed drives several agents (each over its own view of one shared
/// truth) through a random sequence of allocations, releases, stale DELs and fixed-identity restarts, and after every
/// step checks that no address was issued twice, that every release returned exactly what was taken, and that the
/// truth holds exactly the live attachments plus the idle fixed bindings. Lagging views make claims collide, which is
/// the conflict path.
/// </summary>
public static class InterleavingScenario
{
    public static readonly IpPool Pool = PoolParser.Parse(new PoolJson
    {
        Name = "prop",
        Segments =
        [
            new SegmentJson { Name = "seg-a", Subnet = "10.1.0.0/28", Gateway = "10.1.0.1", Vlan = 10, NodeSelector = new() { ["rack"] = "a" } },
            new SegmentJson { Name = "seg-b", Subnet = "10.2.0.0/29", Gateway = "10.2.0.1", Vlan = 20, NodeSelector = new() { ["rack"] = "b" } },
        ],
    });

    /// <summary>na on rack a trunking seg-b's VLAN, nb on rack b trunking seg-a's, nc on rack a without a trunk.</summary>
    public static readonly NodeView[] Nodes =
    [
        new("na", new Dictionary<string, string> { ["rack"] = "a" }, new HashSet<int> { 20 }),
        new("nb", new Dictionary<string, string> { ["rack"] = "b" }, new HashSet<int> { 10 }),
        new("nc", new Dictionary<string, string> { ["rack"] = "a" }, new HashSet<int>()),
    ];

    sealed record Held(string Container, IPAddress Address, FixedIdentity? Fixed);

    /// <param name="agents">One store per node of <see cref="Nodes"/>, in that order; they may share the scenario's random.</param>
    /// <param name="truth">What the shared store holds right now, read past any cache.</param>
    public static async Task RunAsync(Random rng, IReadOnlyList<IReservationStore> agentStores, Func<Task<IReadOnlyList<Reservation>>> truth, int steps = 120)
    {
        var agents = agentStores.Select(s => new IpamService(s)).ToArray();
        var live = new Dictionary<string, Held>();
        var dead = new List<string>();
        var bindings = new Dictionary<FixedIdentity, IPAddress>();
        int next = 0;

        for (int step = 0; step < steps; step++)
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
                        Pool = Pool, Node = Nodes[agent], Owner = new Owner(container, "eth0"), Fixed = id,
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
                    AssertFull(await truth(), Nodes[agent]);
                }
                catch (IpamException ex) when (ex.Kind == IpamErrorKind.SegmentUnreachable)
                {
                    // Node nc has no trunk: it may only refuse an identity bound in a segment it really cannot reach.
                    var bound = Pool.SegmentOf(bindings[id!])!;
                    Assert.Equal(Reach.None, Reachability.Of(Nodes[agent], bound));
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
                var before = (await truth()).Select(r => r.Name).Order().ToList();
                var released = await agents[agent].ReleaseAsync(Pool.Name, dead[rng.Next(dead.Count)], "eth0");
                Assert.Empty(released);
                Assert.Equal(before, (await truth()).Select(r => r.Name).Order());
            }

            // The store holds exactly the live attachments, plus the idle fixed bindings.
            var all = await truth();
            var owned = all.Where(r => r.Owner is not null).ToDictionary(r => r.Owner!.ContainerId, r => r.Address);
            Assert.Equal(live.Count, owned.Count);
            foreach (var h in live.Values) Assert.Equal(h.Address, owned[h.Container]);
            Assert.All(all.Where(r => r.Owner is null), r => Assert.Equal(bindings[r.Fixed!], r.Address));
        }
    }

    /// <summary>"Exhausted" may only be said when every address of every segment the node reaches is in the store.</summary>
    static void AssertFull(IReadOnlyList<Reservation> all, NodeView node)
    {
        var taken = all.Select(r => r.Address).ToHashSet();
        foreach (var segment in Allocator.SegmentsFor(node, Pool))
            Assert.All(new SegmentAddresses(segment).From(null), a => Assert.Contains(a, taken));
    }
}

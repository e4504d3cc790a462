using System.Net;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Testing;

namespace Cdd.Ipam.Kube.Tests.Store;

/// <summary>The per-pool watch cache that answers non-fresh snapshots, and where each agent's walk starts.</summary>
[Tier(Tier.Unit)]
public sealed class ReservationCacheTests : IAsyncLifetime
{
    readonly KubeFixture _kube = new();
    static readonly IpPool Pool = TestPools.TwoRacks();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _kube.DisposeAsync();

    // A hang guard, not an assertion: the cache catches up in milliseconds when it works.
    static Task Until(string what, Func<Task<bool>> condition) =>
        Eventually.TrueAsync(what, condition, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10));

    async Task<IPAddress> Allocate(IpamService agent, string container) =>
        (await agent.AllocateAsync(new AllocationRequest { Pool = Pool, Node = TestPools.Node("n", "a"), Owner = new Owner(container, "eth0") })).Reservation.Address;

    [Fact]
    public async Task The_cache_sees_other_agents_writes_through_dropped_watches_and_a_compaction()
    {
        var watcher = _kube.Store();
        await watcher.WarmAsync(Pool.Name, default);
        var writer = new IpamService(_kube.Store());
        _kube.Api.Faults.WatchDropRate = 0.5;

        var first = await Allocate(writer, "c1");
        await Until("the watcher's cache to see the first address", async () => (await watcher.SnapshotAsync(Pool.Name, fresh: false, default)).Reservations.Any(r => r.Address.Equals(first)));
        _kube.Api.Store.Compact();
        var second = await Allocate(writer, "c2");
        Assert.Single(await writer.ReleaseAsync(Pool.Name, "c1", "eth0"));

        await Until("the watcher's cache to hold only the second address", async () =>
        {
            var seen = (await watcher.SnapshotAsync(Pool.Name, fresh: false, default)).Reservations;
            return seen.Count == 1 && seen[0].Address.Equals(second);
        });
    }

    [Fact]
    public async Task Agents_of_different_nodes_start_their_walks_at_different_addresses_and_each_agent_always_at_the_same()
    {
        KubeReservationStore For(string node) => _kube.Store(new KubeStoreOptions { PoolOf = _ => Pool, SpreadKey = node, RetryDelay = TimeSpan.FromMilliseconds(1) });
        var a1 = await Allocate(new IpamService(For("node-a")), "a1");
        var b1 = await Allocate(new IpamService(For("node-b")), "b1");
        var a2 = await Allocate(new IpamService(For("node-a")), "a2");

        Assert.NotEqual(a1, b1);
        // The same node starts where it started before; that address is taken now, so it gets the next one.
        Assert.Equal(new SegmentAddresses(Pool.Segments[0]).From(a1).First(), a2);
    }
}

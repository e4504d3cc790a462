using Cdd.Ipam.Cluster;
using Cdd.Ipam.Files;

namespace Cdd.Ipamd.Tests;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class LeakCollectorTests : IDisposable
{
    static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);
    readonly FakeCluster _cluster = new FakeCluster().With(Pools.TwoRacks());
    readonly AgentHarness _h;
    readonly ManualClock _clock = new();

    public LeakCollectorTests()
    {
        _h = new AgentHarness(_cluster);
        _cluster.Nodes["node-a"] = Pools.Node("node-a", "a");
    }

    public void Dispose() => _h.Dispose();

    LeakCollector Collector(string node = "node-a") => new(_cluster, _h.Stores, node, Grace, _clock, _h.Metrics, Logger.None);

    int Held() => Directory.GetFiles(Path.Combine(_h.DataDir, "mysql"), "10.*").Length;

    async Task<PodInfo> Allocate(string pod, string container, string? set = null)
    {
        var info = _cluster.AddPod("db", pod, statefulSet: set);
        var r = await _h.Core("node-a").HandleAsync(AgentHarness.Add("mysql", container, "db", pod, info.Uid), default);
        Assert.True(r.Ok, r.Msg);
        return info;
    }

    [Fact]
    public async Task A_reservation_whose_pod_is_gone_is_released_only_after_the_grace_period()
    {
        await Allocate("web-1", "c1");
        var leaks = Collector();
        _cluster.DeletePod("db", "web-1");

        Assert.Empty(await leaks.SweepAsync(default));
        _clock.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Empty(await leaks.SweepAsync(default));
        Assert.Equal(1, Held());
        _clock.Advance(TimeSpan.FromSeconds(2));
        var released = Assert.Single(await leaks.SweepAsync(default));
        Assert.Equal("c1", released.Owner!.ContainerId);
        Assert.Equal(0, Held());
    }

    [Fact]
    public async Task A_pod_that_comes_back_within_the_grace_period_keeps_its_address()
    {
        var pod = await Allocate("web-1", "c1");
        var leaks = Collector();
        _cluster.DeletePod("db", "web-1");
        await leaks.SweepAsync(default);
        lock (_cluster.Pods) _cluster.Pods[("db", "web-1")] = pod;
        _clock.Advance(Grace * 2);
        Assert.Empty(await leaks.SweepAsync(default));
        Assert.Equal(1, Held());
    }

    [Fact]
    public async Task A_pod_replaced_by_one_of_the_same_name_counts_as_gone()
    {
        await Allocate("web-1", "c1");
        _cluster.DeletePod("db", "web-1");
        _cluster.AddPod("db", "web-1");
        var leaks = Collector();
        await leaks.SweepAsync(default);
        _clock.Advance(Grace);
        Assert.Single(await leaks.SweepAsync(default));
    }

    [Fact]
    public async Task Fixed_bindings_and_other_nodes_reservations_are_never_collected()
    {
        await Allocate("mysql-0", "c1", set: "mysql");
        await Allocate("web-1", "c2");
        _cluster.DeletePod("db", "mysql-0");
        _cluster.DeletePod("db", "web-1");
        var elsewhere = Collector("node-b");
        var here = Collector();
        await elsewhere.SweepAsync(default);
        await here.SweepAsync(default);
        _clock.Advance(Grace * 2);

        Assert.Empty(await elsewhere.SweepAsync(default));
        var released = Assert.Single(await here.SweepAsync(default));
        Assert.Equal("c2", released.Owner!.ContainerId);
        Assert.Equal(1, Held());
    }

    [Fact]
    public async Task A_reservation_that_changed_during_the_grace_period_is_judged_afresh()
    {
        await Allocate("web-1", "c1");
        _cluster.DeletePod("db", "web-1");
        var leaks = Collector();
        await leaks.SweepAsync(default);
        _clock.Advance(Grace - TimeSpan.FromSeconds(10));

        // The reservation is rewritten (same address, new version) by another writer before the grace ends.
        using (var store = FileReservationStore.Open(_h.DataDir, "mysql", TimeSpan.FromSeconds(5)))
        {
            var r = Assert.Single((await store.SnapshotAsync("mysql", true, default)).Reservations);
            Assert.NotNull(await store.TryReplaceAsync(r, r with { Owner = r.Owner! with { IfName = "net1" } }, default));
        }
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await leaks.SweepAsync(default));
        _clock.Advance(Grace);
        Assert.Single(await leaks.SweepAsync(default));
    }
}

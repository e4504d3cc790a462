using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;

namespace Cdd.Ipam.Tests.Service;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class IpamServiceTests
{
    readonly MemoryStore _store = new();
    readonly IpamService _ipam;
    static readonly IpPool Small = Pools.Pool("tiny", Pools.Segment("only", "10.0.0.0/29", "10.0.0.1"));

    public IpamServiceTests() => _ipam = new IpamService(_store);

    static AllocationRequest Req(IpPool pool, NodeView node, string container, FixedIdentity? id = null, string pod = "") => new()
    {
        Pool = pool, Node = node, Owner = new Owner(container, "eth0") { PodNamespace = "db", PodName = pod, Network = "net" }, Fixed = id,
    };

    [Fact]
    public async Task A_freed_address_is_not_handed_out_again_at_once()
    {
        var n = Pools.Node("n");
        var first = await _ipam.AllocateAsync(Req(Small, n, "c1"));
        await _ipam.ReleaseAsync("tiny", "c1", "eth0");
        var second = await _ipam.AllocateAsync(Req(Small, n, "c2"));
        Assert.Equal(IPAddress.Parse("10.0.0.2"), first.Reservation.Address);
        Assert.Equal(IPAddress.Parse("10.0.0.3"), second.Reservation.Address);
    }

    [Fact]
    public async Task An_exhausted_pool_is_named_in_the_error()
    {
        var n = Pools.Node("n");
        for (int i = 0; i < 5; i++) await _ipam.AllocateAsync(Req(Small, n, $"c{i}"));
        var ex = await Assert.ThrowsAsync<IpamException>(() => _ipam.AllocateAsync(Req(Small, n, "late")));
        Assert.Equal(IpamErrorKind.PoolExhausted, ex.Kind);
        Assert.Contains("pool tiny is exhausted", ex.Message);
    }

    [Fact]
    public async Task A_statefulset_member_keeps_its_address_and_vlan_on_a_node_in_another_segment()
    {
        var id = FixedIdentity.Member("db", "mysql", 0);
        var pool = Pools.TwoRacks();
        var onA = await _ipam.AllocateAsync(Req(pool, Pools.Node("node-a", "a"), "ca", id, "mysql-0"));
        await _ipam.ReleaseAsync(pool.Name, "ca", "eth0");
        // Filler on rack b so "first free address of seg-b" would be something else entirely.
        await _ipam.AllocateAsync(Req(pool, Pools.Node("node-b", "b", 100), "filler"));
        var onB = await _ipam.AllocateAsync(Req(pool, Pools.Node("node-b", "b", 100), "cb", id, "mysql-0"));

        Assert.Equal(onA.Reservation.Address, onB.Reservation.Address);
        Assert.Equal("seg-a", onB.Segment.Name);
        Assert.Equal(100, onB.Reservation.Vlan);
        Assert.Equal("node-b", onB.Reservation.Node);
        Assert.Equal("cb", onB.Reservation.Owner!.ContainerId);
    }

    [Fact]
    public async Task A_binding_made_ahead_of_its_pod_is_taken_by_the_pod_and_asking_again_returns_it()
    {
        var id = FixedIdentity.Annotated("db", "db/mysql-0");
        var pool = Pools.TwoRacks();
        var bind = new AllocationRequest { Pool = pool, Node = Pools.Node("node-a", "a"), Owner = null, Fixed = id };
        var bound = await _ipam.AllocateAsync(bind);
        Assert.Null(bound.Reservation.Owner);
        Assert.Equal("node-a", bound.Reservation.Node);
        Assert.Equal(bound.Reservation.Address, (await _ipam.AllocateAsync(bind)).Reservation.Address);

        var pod = await _ipam.AllocateAsync(Req(pool, Pools.Node("node-a", "a"), "c1", id, "mysql-0"));
        Assert.Equal(bound.Reservation.Address, pod.Reservation.Address);
        Assert.Equal("c1", pod.Reservation.Owner!.ContainerId);
        // Binding again while the pod holds it changes nothing.
        var again = await _ipam.AllocateAsync(bind);
        Assert.Equal("c1", again.Reservation.Owner!.ContainerId);
        Assert.Single(_store.All);
    }

    [Fact]
    public void An_allocation_without_owner_or_fixed_identity_is_refused()
    {
        var req = new AllocationRequest { Pool = Small, Node = Pools.Node("n"), Owner = null };
        Assert.Throws<ArgumentException>(() => Allocator.Plan(req, PoolSnapshot.Empty));
    }

    [Fact]
    public async Task A_released_fixed_binding_stays_reserved_for_its_identity()
    {
        var id = FixedIdentity.Member("db", "mysql", 1);
        var n = Pools.Node("n");
        var held = await _ipam.AllocateAsync(Req(Small, n, "c1", id));
        var released = await _ipam.ReleaseAsync("tiny", "c1", "eth0");
        Assert.Equal(held.Reservation.Address, Assert.Single(released).Address);
        var kept = Assert.Single(_store.All);
        Assert.Null(kept.Owner);
        Assert.Equal(id, kept.Fixed);
    }

    [Fact]
    public async Task A_stale_del_after_the_pod_was_recreated_frees_nothing()
    {
        var id = FixedIdentity.Member("db", "mysql", 2);
        var n = Pools.Node("n");
        await _ipam.AllocateAsync(Req(Small, n, "old", id));
        // The pod is recreated before the old container's DEL arrives (a kubelet retry, a dead node coming back).
        var now = await _ipam.AllocateAsync(Req(Small, n, "new", id));
        var staleDel = await _ipam.ReleaseAsync("tiny", "old", "eth0");
        Assert.Empty(staleDel);
        Assert.Equal("new", Assert.Single(_store.All).Owner!.ContainerId);
        Assert.Equal(now.Reservation.Address, _store.All[0].Address);
    }

    [Fact]
    public async Task Gc_frees_the_attachments_the_runtime_no_longer_lists_on_its_own_node_and_network_only()
    {
        var a = Pools.Node("a");
        var b = Pools.Node("b");
        await _ipam.AllocateAsync(Req(Small, a, "keep"));
        await _ipam.AllocateAsync(Req(Small, a, "leaked"));
        await _ipam.AllocateAsync(Req(Small, b, "elsewhere"));
        // Same pod, second network drawing from the same pool: GC of "net" does not list it, and must not free it.
        await _ipam.AllocateAsync(Req(Small, a, "keep") with { Owner = new Owner("keep", "net1") { Network = "other" } });
        var freed = await _ipam.CollectAsync("tiny", "a", "net", new HashSet<(string, string)> { ("keep", "eth0") });
        Assert.Equal("leaked", Assert.Single(freed).Owner!.ContainerId);
        Assert.Equal(["elsewhere", "keep", "keep"], _store.All.Select(r => r.Owner!.ContainerId).Order());
    }

    [Fact]
    public async Task A_requested_address_is_given_when_free()
    {
        var got = await _ipam.AllocateAsync(Req(Small, Pools.Node("n"), "c1") with { Requested = IPAddress.Parse("10.0.0.6") });
        Assert.Equal(IPAddress.Parse("10.0.0.6"), got.Reservation.Address);
    }
}

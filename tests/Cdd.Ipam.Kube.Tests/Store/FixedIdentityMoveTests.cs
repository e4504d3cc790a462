using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;

namespace Cdd.Ipam.Kube.Tests.Store;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class FixedIdentityMoveTests : IAsyncLifetime
{
    readonly KubeFixture _kube = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _kube.DisposeAsync();

    [Fact]
    public async Task A_statefulset_member_restarted_on_a_node_of_another_rack_gets_its_address_back_with_its_segments_vlan()
    {
        var pool = TestPools.TwoRacks();
        var member = FixedIdentity.Member("db", "mysql", 1);
        var nodeA = TestPools.Node("node-a", "a");
        var nodeB = TestPools.Node("node-b", "b", 100); // rack b, its trunk carries seg-a's VLAN 100
        var agentA = new IpamService(_kube.Store());
        var agentB = new IpamService(_kube.Store());

        var first = await agentA.AllocateAsync(new AllocationRequest { Pool = pool, Node = nodeA, Owner = new Owner("c-a", "eth0"), Fixed = member });
        Assert.Equal("seg-a", first.Segment.Name);
        var released = Assert.Single(await agentA.ReleaseAsync(pool.Name, "c-a", "eth0"));
        Assert.Equal(first.Reservation.Address, released.Address);

        var again = await agentB.AllocateAsync(new AllocationRequest { Pool = pool, Node = nodeB, Owner = new Owner("c-b", "eth0"), Fixed = member });
        Assert.Equal(first.Reservation.Address, again.Reservation.Address);
        Assert.Equal(100, again.Segment.Vlan);
        Assert.Equal(100, again.Reservation.Vlan);
        Assert.Equal("node-b", again.Reservation.Node);

        // The old pod's late DEL on node A frees nothing; the binding and its new owner stay.
        Assert.Empty(await agentA.ReleaseAsync(pool.Name, "c-a", "eth0"));
        var stored = Assert.Single((await _kube.Store().SnapshotAsync(pool.Name, fresh: true, default)).Reservations);
        Assert.Equal("c-b", stored.Owner!.ContainerId);
        Assert.Equal(member, stored.Fixed);
    }
}

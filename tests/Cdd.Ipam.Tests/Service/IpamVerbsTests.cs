using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Files;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Tests.Service;

/// <summary>The verbs as both adapters run them, on a pool known from static files (no pod objects) and an in-memory store.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class IpamVerbsTests
{
    readonly MemoryStore _store = new();
    static readonly IpPool Pool = Pools.TwoRacks();

    IpamVerbs Verbs(params string[] fixedStatefulSets) =>
        new(new FileClusterView([Pool], Pools.Node("node-a", "a"), "/nonexistent"), new Stores(_store), "node-a",
            fixedStatefulSets: fixedStatefulSets);

    sealed class Stores(IReservationStore store) : IPoolStores
    {
        public StoreLease Open(string pool) => new(store, null);
    }

    static AttachmentRequest Member(string container, string pod) =>
        new("mysql", container, "eth0", "net") { PodNamespace = "db", PodName = pod };

    [Fact]
    public async Task Without_pod_objects_a_member_of_a_fixed_statefulset_keeps_its_address_across_containers()
    {
        var verbs = Verbs("mysql");
        var (first, _) = await verbs.AddAsync(Member("c1", "mysql-0"));
        Assert.Equal(FixedIdentity.Member("db", "mysql", 0), first.Reservation.Fixed);
        await verbs.DelAsync("mysql", "c1", "eth0");
        var (again, owner) = await verbs.AddAsync(Member("c2", "mysql-0"));
        Assert.Equal(first.Reservation.Address, again.Reservation.Address);
        Assert.Equal("c2", owner.ContainerId);
    }

    [Fact]
    public async Task A_pod_of_a_statefulset_not_listed_gets_no_fixed_binding()
    {
        var (got, _) = await Verbs("other").AddAsync(Member("c1", "mysql-0"));
        Assert.Null(got.Reservation.Fixed);
    }

    [Fact]
    public async Task Gc_spares_an_attachment_added_after_the_runtimes_list_was_taken()
    {
        var verbs = Verbs();
        await verbs.AddAsync(Member("c1", "web-x"));
        var released = await verbs.GcAsync("mysql", "net", []);
        Assert.Empty(released);
        Assert.Single(_store.All);
    }

    [Fact]
    public async Task Check_with_the_held_address_succeeds_and_with_another_is_check_failed()
    {
        var verbs = Verbs();
        var (got, _) = await verbs.AddAsync(Member("c1", "web-x"));
        await verbs.CheckAsync("mysql", "c1", "eth0", [got.Reservation.Address]);
        var ex = await Assert.ThrowsAsync<IpamException>(() => verbs.CheckAsync("mysql", "c1", "eth0", [IPAddress.Parse("10.10.0.99")]));
        Assert.Equal(IpamErrorKind.CheckFailed, ex.Kind);
    }

    [Fact]
    public async Task Status_of_an_unknown_pool_is_not_available_naming_it()
    {
        var ex = await Assert.ThrowsAsync<IpamException>(() => Verbs().StatusAsync("nope"));
        Assert.Equal(IpamErrorKind.NotAvailable, ex.Kind);
        Assert.Equal("IPPool nope does not exist", ex.Message);
    }

    [Fact]
    public async Task Del_for_an_unknown_pool_releases_nothing_and_succeeds() =>
        Assert.Empty(await Verbs().DelAsync("gone", "c1", "eth0"));
}

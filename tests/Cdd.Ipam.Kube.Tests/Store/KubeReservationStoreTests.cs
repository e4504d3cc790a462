using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Kube.Connection;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Cdd.Testing.Kube;

namespace Cdd.Ipam.Kube.Tests.Store;

/// <summary>The store contract against the fake API server, through the real KubernetesClient.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class KubeReservationStoreTests : IAsyncLifetime
{
    readonly KubeFixture _kube = new();
    static readonly IpPool Pool = TestPools.TwoRacks();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _kube.DisposeAsync();

    static Reservation Held(string address, string container, string node = "n1", FixedIdentity? fixedId = null) => new()
    {
        Pool = Pool.Name, Segment = "seg-a", Address = IPAddress.Parse(address), Vlan = 100, Node = node,
        Owner = new Owner(container, "eth0") { PodNamespace = "db", PodName = "mysql-0", PodUid = "u-" + container, Network = "macvlan" },
        Fixed = fixedId,
    };

    JsonObject Stored(string name) => _kube.Api.Store.Get(new KubeRoute(CddResources.Group, CddResources.Version, CddResources.ReservationPlural, "", name, null));

    [Fact]
    public async Task A_claim_creates_the_reservation_object_with_labels_and_spec()
    {
        var store = _kube.Store(new KubeStoreOptions { GatewayOf = (pool, seg) => Pool.FindSegment(seg)?.Gateway });
        var claimed = await store.TryClaimAsync(Held("10.10.0.5", "c1", fixedId: FixedIdentity.Member("db", "mysql", 0)), default);

        Assert.NotNull(claimed);
        Assert.NotNull(claimed.Version);
        var o = Stored("mysql-10-10-0-5");
        Assert.Equal("mysql", o["metadata"]!["labels"]![CddResources.PoolLabel]!.GetValue<string>());
        Assert.Equal("n1", o["metadata"]!["labels"]![CddResources.NodeLabel]!.GetValue<string>());
        var spec = o["spec"]!;
        Assert.Equal("10.10.0.5", spec["address"]!.GetValue<string>());
        Assert.Equal("seg-a", spec["segment"]!.GetValue<string>());
        Assert.Equal(100, spec["vlan"]!.GetValue<int>());
        Assert.Equal("10.10.0.1", spec["gateway"]!.GetValue<string>());
        Assert.Equal("c1", spec["owner"]!["containerID"]!.GetValue<string>());
        Assert.Equal("u-c1", spec["owner"]!["podUID"]!.GetValue<string>());
        Assert.Equal("macvlan", spec["owner"]!["network"]!.GetValue<string>());
        Assert.Equal("mysql", spec["fixed"]!["statefulSet"]!.GetValue<string>());
        Assert.Equal(0, spec["fixed"]!["ordinal"]!.GetValue<int>());

        var read = Assert.Single((await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations);
        Assert.Equal(claimed, read);
    }

    [Fact]
    public async Task A_second_claim_of_a_held_address_is_refused_and_changes_nothing()
    {
        var a = _kube.Store();
        var b = _kube.Store();
        var first = await a.TryClaimAsync(Held("10.10.0.5", "c1"), default);
        Assert.NotNull(first);

        Assert.Null(await b.TryClaimAsync(Held("10.10.0.5", "c2", node: "n2"), default));
        Assert.Equal("c1", Stored("mysql-10-10-0-5")["spec"]!["owner"]!["containerID"]!.GetValue<string>());
        Assert.Equal(1, b.Stats.Taken);
    }

    [Fact]
    public async Task A_replace_from_a_stale_copy_is_refused()
    {
        var store = _kube.Store();
        var v1 = (await store.TryClaimAsync(Held("10.10.0.5", "c1"), default))!;
        var v2 = await store.TryReplaceAsync(v1, v1 with { Owner = null }, default);
        Assert.NotNull(v2);
        Assert.NotEqual(v1.Version, v2.Version);

        Assert.Null(await store.TryReplaceAsync(v1, v1 with { Node = "n9" }, default));
        Assert.Null(Stored("mysql-10-10-0-5")["spec"]!["owner"]);
    }

    [Fact]
    public async Task A_stale_replace_is_refused_even_when_someone_already_stored_the_same_spec()
    {
        var a = _kube.Store();
        var b = _kube.Store();
        var v1 = (await a.TryClaimAsync(Held("10.10.0.5", "c1", fixedId: FixedIdentity.Member("db", "mysql", 0)), default))!;
        // Another agent's DEL detached the binding first; ours arrives with the old copy and wants the same result.
        Assert.NotNull(await b.TryReplaceAsync(v1, v1 with { Owner = null }, default));
        Assert.Null(await a.TryReplaceAsync(v1, v1 with { Owner = null }, default));
        // Also when the answer is a 500 (was it applied?): the stored version lacks our write's token, so it is not ours.
        _kube.Api.Faults.InternalErrorRate = 1;
        _kube.Api.Faults.Methods = new HashSet<string> { "PUT" };
        Assert.Null(await a.TryReplaceAsync(v1, v1 with { Owner = null }, default));
    }

    [Fact]
    public async Task A_release_from_a_stale_copy_is_refused_and_keeps_the_object()
    {
        var store = _kube.Store();
        var v1 = (await store.TryClaimAsync(Held("10.10.0.5", "c1"), default))!;
        var v2 = (await store.TryReplaceAsync(v1, v1 with { Node = "n2" }, default))!;

        Assert.False(await store.TryReleaseAsync(v1, default));
        Assert.Equal("n2", Stored("mysql-10-10-0-5")["spec"]!["node"]!.GetValue<string>());
        Assert.True(await store.TryReleaseAsync(v2, default));
        Assert.Empty((await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations);
    }

    [Fact]
    public async Task A_stale_del_after_the_pod_was_recreated_does_not_free_the_new_pods_address()
    {
        var agentA = new IpamService(_kube.Store());
        var storeB = _kube.Store();
        var agentB = new IpamService(storeB);
        var node = TestPools.Node("n1", "a");
        var old = await agentA.AllocateAsync(new AllocationRequest { Pool = Pool, Node = node, Owner = new Owner("old", "eth0"), Requested = IPAddress.Parse("10.10.0.7") });
        Assert.Single(await agentA.ReleaseAsync(Pool.Name, "old", "eth0"));
        // The pod is recreated and gets the same address in a new object (new uid) from another agent.
        var fresh = await agentB.AllocateAsync(new AllocationRequest { Pool = Pool, Node = node, Owner = new Owner("new", "eth0"), Requested = IPAddress.Parse("10.10.0.7") });
        Assert.Equal(old.Reservation.Address, fresh.Reservation.Address);
        Assert.NotEqual(old.Reservation.Version, fresh.Reservation.Version);

        // The old container's DEL arrives late, twice: once by container ID, once with the copy read back then.
        Assert.Empty(await agentA.ReleaseAsync(Pool.Name, "old", "eth0"));
        Assert.False(await storeB.TryReleaseAsync(old.Reservation, default));
        Assert.Equal("new", Stored("mysql-10-10-0-7")["spec"]!["owner"]!["containerID"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_claim_whose_answer_was_lost_is_found_and_kept_not_claimed_twice()
    {
        var store = _kube.Store();
        _kube.Api.Faults.LostReplyRate = 1;
        var claimed = await store.TryClaimAsync(Held("10.10.0.5", "c1"), default);
        _kube.Api.Faults.LostReplyRate = 0;

        Assert.NotNull(claimed);
        Assert.Equal("c1", claimed.Owner!.ContainerId);
        Assert.Equal(1, store.Stats.LostReplies);
        Assert.Single((await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations);
    }

    [Fact]
    public async Task Replace_and_release_whose_answers_were_lost_report_what_the_server_did()
    {
        var store = _kube.Store();
        var v1 = (await store.TryClaimAsync(Held("10.10.0.5", "c1"), default))!;
        _kube.Api.Faults.LostReplyRate = 1;
        var v2 = await store.TryReplaceAsync(v1, v1 with { Owner = null }, default);
        Assert.NotNull(v2);
        Assert.Null(v2.Owner);
        Assert.True(await store.TryReleaseAsync(v2, default));
        _kube.Api.Faults.LostReplyRate = 0;
        Assert.Empty((await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations);
    }

    [Fact]
    public async Task An_allocation_retried_after_a_lost_answer_gets_the_same_address_back()
    {
        var store = _kube.Store(new KubeStoreOptions { Attempts = 1, RetryDelay = TimeSpan.FromMilliseconds(1) });
        var ipam = new IpamService(store);
        var req = new AllocationRequest { Pool = Pool, Node = TestPools.Node("n1", "a"), Owner = new Owner("c1", "eth0") };
        await store.WarmAsync(Pool.Name, default);
        // The create lands, its answer is lost, and the read-back fails too: the caller is told to try again later.
        _kube.Api.Faults.LostReplyRate = 1;
        _kube.Api.Faults.InternalErrorRate = 1;
        _kube.Api.Faults.Methods = new HashSet<string> { "GET" };
        await Assert.ThrowsAsync<StoreUnavailableException>(() => ipam.AllocateAsync(req));
        _kube.Api.Faults.LostReplyRate = 0;
        _kube.Api.Faults.InternalErrorRate = 0;
        Assert.Single(_kube.Api.Store.List(new KubeRoute(CddResources.Group, CddResources.Version, CddResources.ReservationPlural, "", null, null), Cdd.Testing.Kube.LabelSelector.Parse(null)).Items);

        var again = await ipam.AllocateAsync(req);
        var all = (await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations;
        Assert.Equal(again.Reservation, Assert.Single(all));
    }

    [Fact]
    public async Task An_unreachable_api_server_is_store_unavailable_without_the_token_in_the_message()
    {
        string kubeconfig = _kube.Api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cdd-kc-{Guid.NewGuid():N}"));
        try
        {
            // Point the kubeconfig at a port nothing listens on.
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            File.WriteAllText(kubeconfig, File.ReadAllText(kubeconfig).Replace(_kube.Api.BaseAddress.ToString().TrimEnd('/'), $"http://127.0.0.1:{port}"));
            using var client = KubeConnection.CreateClient(kubeconfig, TimeSpan.FromSeconds(5));
            await using var store = new KubeReservationStore(client, new KubeStoreOptions { Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(1) });

            var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.TryClaimAsync(Held("10.10.0.5", "c1"), default));
            Assert.Contains("claim 10.10.0.5", e.Message);
            Assert.DoesNotContain("fake-token", e.ToString());
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SnapshotAsync(Pool.Name, fresh: true, default));
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task A_server_error_on_every_try_is_store_unavailable_and_nothing_is_claimed()
    {
        var store = _kube.Store(new KubeStoreOptions { Attempts = 3, RetryDelay = TimeSpan.FromMilliseconds(1) });
        _kube.Api.Faults.UnavailableRate = 1;
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.TryClaimAsync(Held("10.10.0.5", "c1"), default));
        _kube.Api.Faults.UnavailableRate = 0;
        Assert.Contains("503", e.Message);
        Assert.Empty((await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations);
    }

    [Fact]
    public async Task An_invalid_object_holds_the_address_its_name_encodes_but_is_never_freed()
    {
        using var http = new HttpClient { BaseAddress = _kube.Api.BaseAddress };
        var bad = new JsonObject
        {
            ["apiVersion"] = CddResources.ApiVersion, ["kind"] = CddResources.ReservationKind,
            ["metadata"] = new JsonObject { ["name"] = "mysql-10-10-0-9", ["labels"] = new JsonObject { [CddResources.PoolLabel] = "mysql" } },
            ["spec"] = new JsonObject { ["pool"] = "mysql", ["segment"] = "seg-a", ["address"] = "10.10.0.300" },
        };
        using var created = await http.PostAsync("apis/cdd.io/v1/ipreservations", new StringContent(bad.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var store = _kube.Store();
        var problems = new List<string>();
        store.InvalidObject += problems.Add;

        var r = Assert.Single((await store.SnapshotAsync(Pool.Name, fresh: true, default)).Reservations);
        Assert.Equal(IPAddress.Parse("10.10.0.9"), r.Address);
        Assert.Null(r.Owner);
        Assert.Null(r.Version);
        Assert.Contains(problems, p => p.Contains("spec.address") && p.Contains("10.10.0.300"));
        Assert.False(await store.TryReleaseAsync(r, default));
        var next = await new IpamService(store).AllocateAsync(new AllocationRequest { Pool = Pool, Node = TestPools.Node("n1", "a"), Owner = new Owner("c", "eth0") });
        Assert.NotEqual(IPAddress.Parse("10.10.0.9"), next.Reservation.Address);
    }
}

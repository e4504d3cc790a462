using System.Text.Json.Nodes;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Kube.Cluster;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Store;
using Cdd.Testing;
using Cdd.Testing.Kube;

namespace Cdd.Ipam.Kube.Tests.Cluster;

[Tier(Tier.Unit)]
public sealed class KubeClusterViewTests : IAsyncLifetime
{
    readonly KubeFixture _kube = new();
    KubeClusterView? _view;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_view is not null) await _view.DisposeAsync();
        await _kube.DisposeAsync();
    }

    static KubeRoute Route(string group, string plural, string ns = "", string? name = null) =>
        new(group, group == "" ? "v1" : CddResources.Version, plural, ns, name, null);

    void Create(string group, string plural, JsonObject obj, string ns = "") => _kube.Api.Store.Create(Route(group, plural, ns), obj);

    static JsonObject Pool(string name, string subnet) => new()
    {
        ["apiVersion"] = CddResources.ApiVersion, ["kind"] = CddResources.PoolKind,
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["segments"] = new JsonArray(new JsonObject { ["name"] = "seg-a", ["subnet"] = subnet, ["gateway"] = "10.1.0.1", ["vlan"] = 100 }),
            ["podSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "mysql" } },
        },
    };

    async Task<KubeClusterView> View()
    {
        _view = new KubeClusterView(_kube.Client(), new Cdd.Ipam.Kube.Store.KubeStoreOptions { RetryDelay = TimeSpan.FromMilliseconds(1), WatchRetryDelay = TimeSpan.FromMilliseconds(10) });
        await _view.StartAsync(default);
        return _view;
    }

    [Fact]
    public async Task A_valid_pool_is_found_and_an_invalid_one_is_reported_by_the_field_at_fault()
    {
        Create(CddResources.Group, CddResources.PoolPlural, Pool("good", "10.1.0.0/24"));
        Create(CddResources.Group, CddResources.PoolPlural, Pool("bad", "10.1.0.5/24"));
        var view = await View();

        var good = view.FindPool("good");
        Assert.NotNull(good);
        Assert.Equal(100, good.Segments[0].Vlan);
        Assert.False(good.Admits(new Dictionary<string, string>(), new Dictionary<string, string> { ["app"] = "web" }));
        Assert.Null(view.FindPool("bad"));
        Assert.Contains("spec.segments[0].subnet", view.PoolProblem("bad"));
        Assert.Equal(["good"], view.Pools.Select(p => p.Name));
        Assert.Null(view.FindPool("missing"));
    }

    [Fact]
    public async Task A_pool_created_later_reaches_the_view_through_its_watch()
    {
        var view = await View();
        Assert.Null(view.FindPool("late"));
        Create(CddResources.Group, CddResources.PoolPlural, Pool("late", "10.1.0.0/24"));
        // A hang guard, not an assertion: the watch delivers in milliseconds when it works.
        await Eventually.TrueAsync("pool late in the view", () => view.FindPool("late") is not null, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public async Task A_node_brings_its_labels_and_the_trunk_vlans_of_its_annotation()
    {
        Create("", "nodes", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "n1", ["labels"] = new JsonObject { ["rack"] = "a" },
                ["annotations"] = new JsonObject { [CddResources.TrunkVlansAnnotation] = "100, 200" },
            },
        });
        Create("", "nodes", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "n2", ["annotations"] = new JsonObject { [CddResources.TrunkVlansAnnotation] = "100,4095" } } });
        var view = await View();

        var n1 = await view.GetNodeAsync("n1", default);
        Assert.Equal("a", n1.Labels["rack"]);
        Assert.Equal([100, 200], n1.TrunkVlans.Order());
        var e = await Assert.ThrowsAsync<ClusterObjectException>(() => view.GetNodeAsync("n2", default));
        Assert.Contains(CddResources.TrunkVlansAnnotation, e.Message);
        Assert.Contains("4095", e.Message);
        await Assert.ThrowsAsync<ClusterObjectException>(() => view.GetNodeAsync("n3", default));
    }

    [Fact]
    public async Task A_pod_brings_labels_annotations_and_its_statefulset_controller()
    {
        Create("", "pods", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "mysql-0", ["labels"] = new JsonObject { ["app"] = "mysql" },
                ["annotations"] = new JsonObject { ["cdd.io/fixed-ip"] = "primary" },
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "StatefulSet", ["name"] = "mysql", ["uid"] = "s1", ["controller"] = true }),
            },
        }, ns: "db");
        Create("", "pods", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "web-1",
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "StatefulSet", ["name"] = "web", ["uid"] = "s2", ["controller"] = false }),
            },
        }, ns: "db");
        var view = await View();

        var pod = await view.GetPodAsync("db", "mysql-0", default);
        Assert.NotNull(pod);
        Assert.False(string.IsNullOrEmpty(pod.Uid));
        Assert.Equal("mysql", pod.StatefulSet);
        Assert.Equal("mysql", pod.Labels["app"]);
        Assert.Equal("primary", pod.Annotations["cdd.io/fixed-ip"]);
        Assert.Null((await view.GetPodAsync("db", "web-1", default))!.StatefulSet);
        Assert.Null(await view.GetPodAsync("db", "gone", default));
    }

    [Fact]
    public async Task Namespace_labels_are_read_and_a_missing_namespace_is_null()
    {
        Create("", "namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "db", ["labels"] = new JsonObject { ["team"] = "dba" } } });
        Create("", "namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "plain" } });
        var view = await View();

        Assert.Equal("dba", (await view.GetNamespaceLabelsAsync("db", default))!["team"]);
        Assert.Empty((await view.GetNamespaceLabelsAsync("plain", default))!);
        Assert.Null(await view.GetNamespaceLabelsAsync("nope", default));
    }

    [Fact]
    public async Task Pool_status_is_written_through_the_status_subresource_despite_conflicts()
    {
        Create(CddResources.Group, CddResources.PoolPlural, Pool("p", "10.1.0.0/24"));
        var view = await View();
        _kube.Api.Faults.ConflictRate = 0.5;
        _kube.Api.Faults.Methods = new HashSet<string> { "PUT" };
        await view.WritePoolStatusAsync("p", [new SegmentUsage("seg-a", 253, 10)], default);
        _kube.Api.Faults.ConflictRate = 0;

        var stored = _kube.Api.Store.Get(Route(CddResources.Group, CddResources.PoolPlural, name: "p"));
        var status = stored["status"]!;
        Assert.Equal(1, status["segmentCount"]!.GetValue<int>());
        Assert.Equal(253, status["total"]!.GetValue<long>());
        Assert.Equal(10, status["allocated"]!.GetValue<long>());
        Assert.Equal(243, status["free"]!.GetValue<long>());
        Assert.Equal("seg-a", status["segments"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("10.1.0.0/24", stored["spec"]!["segments"]![0]!["subnet"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unreachable_api_server_is_store_unavailable_for_reads()
    {
        var view = await View();
        _kube.Api.Faults.UnavailableRate = 1;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => view.GetNodeAsync("n1", default));
        _kube.Api.Faults.UnavailableRate = 0;
    }
}

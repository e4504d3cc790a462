using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Operator.Extender;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile;
using Cdd.Testing.Kube;
using k8s;
using Microsoft.AspNetCore.Builder;

namespace Cdd.Operator.Tests.Extender;

/// <summary>
/// The extender in live mode over real HTTP: Kestrel on a loopback port, its inventory read through a client built from
/// a kubeconfig pointing at the in-process API server (as `cdd-operator extender --kubeconfig` builds it), the TTL on a
/// manual clock.
/// </summary>
sealed class LiveExtenderFixture : IAsyncDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1);

    readonly string _dir;
    readonly IKubernetes _client;
    readonly WebApplication _app;
    readonly HttpClient _http;

    LiveExtenderFixture(FakeKubeApiServer server, string dir, IKubernetes client, ManualClock clock, WebApplication app)
    {
        Server = server;
        _dir = dir;
        _client = client;
        Clock = clock;
        _app = app;
        _http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public FakeKubeApiServer Server { get; }
    public ManualClock Clock { get; }

    public static async Task<LiveExtenderFixture> StartAsync()
    {
        var server = new FakeKubeApiServer()
            .Serve("cdd.io", "v1", "mysqlclusters", "MySQLCluster")
            .Serve("", "v1", "pods", "Pod")
            .Serve("", "v1", "nodes", "Node");
        var dir = Directory.CreateTempSubdirectory("cdd-operator-extender-").FullName;
        var client = OperatorClient.Create(server.WriteKubeconfig(Path.Combine(dir, "kubeconfig")));
        var clock = new ManualClock();
        var source = new SnapshotCache(ct => KubePlacementReader.ReadAsync(client, ct), clock, Ttl);
        var app = ExtenderCommand.Build(source, new IPEndPoint(IPAddress.Loopback, 0));
        await app.StartAsync();
        return new LiveExtenderFixture(server, dir, client, clock, app);
    }

    static KubeRoute Route(string plural, string ns = "", string? name = null, string? sub = null, string group = "") =>
        new(group, "v1", plural, ns, name, sub);

    public void AddNode(string name, string? pressure = null, bool unschedulable = false, string cpu = "16") =>
        OperatorObjects.AddNode(Server, name, cpu: cpu, pressure: pressure, unschedulable: unschedulable);

    public void AddCluster(string ns, string name, int members = 3, string cpu = "2") =>
        Server.Store.Create(Route("mysqlclusters", ns, group: "cdd.io"), OperatorObjects.Cluster(name, members, cpu));

    /// <summary>A member pod of <paramref name="cluster"/>; bound to <paramref name="node"/>, or pending (being scheduled) when null.</summary>
    public void AddMember(string ns, string cluster, int index, string? node, string cpu = "2")
    {
        var spec = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "mysql",
                ["image"] = "mysql:8.4",
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = "8Gi" } },
            }),
        };
        if (node is not null) spec["nodeName"] = node;
        Server.Store.Create(Route("pods", ns), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{cluster}-{index}",
                ["labels"] = new JsonObject { [SchedulerExtender.ClusterLabel] = cluster, [MemberNames.MemberLabel] = index.ToString() },
            },
            ["spec"] = spec,
        });
    }

    /// <summary>ExtenderArgs as kube-scheduler posts them for the pod ns/cluster-index, nodeCacheCapable.</summary>
    public static string NodeNamesArgs(string ns, string cluster, int index, params string[] nodes) =>
        $$"""{"Pod":{{Pod(ns, cluster, index)}},"Nodes":null,"NodeNames":[{{string.Join(",", nodes.Select(n => $"\"{n}\""))}}]}""";

    /// <summary>ExtenderArgs as kube-scheduler posts them when not nodeCacheCapable: whole Node objects.</summary>
    public static string NodeListArgs(string ns, string cluster, int index, params string[] nodes) =>
        $$"""
        {"Pod":{{Pod(ns, cluster, index)}},
         "Nodes":{"metadata":{"resourceVersion":"77"},"items":[{{string.Join(",", nodes.Select(NodeObject))}}]},
         "NodeNames":null}
        """;

    static string NodeObject(string name) => new JsonObject
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject(),
        ["status"] = new JsonObject { ["allocatable"] = new JsonObject { ["cpu"] = "16" } },
    }.ToJsonString();

    static string Pod(string ns, string cluster, int index) => new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = $"{cluster}-{index}",
            ["namespace"] = ns,
            ["uid"] = $"u-{index}",
            ["labels"] = new JsonObject { [SchedulerExtender.ClusterLabel] = cluster, [MemberNames.MemberLabel] = $"{index}" },
        },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "mysql",
                ["image"] = "mysql:8.4",
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "2", ["memory"] = "8Gi" } },
            }),
        },
        ["status"] = new JsonObject { ["phase"] = "Pending" },
    }.ToJsonString();

    public Task<HttpResponseMessage> Post(string path, string json) =>
        _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonNode> Filter(string json)
    {
        var response = await Post("/filter", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _client.Dispose();
        Server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

using System.Text.Json.Nodes;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Kube.Store;
using Cdd.Testing;
using Cdd.Testing.Kube;

namespace Cdd.Ipamd.Tests;

/// <summary>
/// The in-process API server with one IPPool ("big": one /24 segment per rack, racks a..d), nodes on those racks, a
/// namespace, and cdd-ipamd agents started exactly as the daemon starts them (from a kubeconfig), each on its own
/// socket. Counts the API requests it receives. Everything is removed with the lab.
/// </summary>
internal sealed class KubeAgentLab : IAsyncDisposable
{
    readonly TempDir _dir = new("cdd-ipamd-lab");
    readonly List<Agent> _agents = [];
    readonly Lock _lock = new();
    readonly List<(string Method, Uri Url)> _requests = [];

    public KubeAgentLab(int racks = 2, int prefix = 24)
    {
        Api = new FakeKubeApiServer()
            .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
            .Serve("cdd.io", "v1", "ippools", "IPPool")
            .Serve("", "v1", "pods", "Pod")
            .Serve("", "v1", "nodes", "Node")
            .Serve("", "v1", "namespaces", "Namespace")
            .Serve("coordination.k8s.io", "v1", "leases", "Lease");
        Api.Requested += (m, u) =>
        {
            lock (_lock) _requests.Add((m, u));
        };
        Kubeconfig = Api.WriteKubeconfig(Path.Combine(_dir.Path, "kubeconfig"));
        var segments = new JsonArray();
        for (int r = 0; r < racks; r++)
        {
            char rack = (char)('a' + r);
            segments.Add(JsonNode.Parse($$$"""
                {"name":"seg-{{{rack}}}","subnet":"10.{{{40 + r}}}.0.0/{{{prefix}}}","gateway":"10.{{{40 + r}}}.0.1","vlan":{{{100 + r}}},"nodeSelector":{"rack":"{{{rack}}}"}}
                """));
            Create("/api/v1/nodes", Obj("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-RACK","labels":{"rack":"RACK"}}}""".Replace("RACK", rack.ToString(), StringComparison.Ordinal)));
        }
        var pool = Obj("""{"apiVersion":"cdd.io/v1","kind":"IPPool","metadata":{"name":"big"},"spec":{}}""");
        pool["spec"]!["segments"] = segments;
        Create("/apis/cdd.io/v1/ippools", pool);
        Create("/api/v1/namespaces", Obj("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"db"}}"""));
    }

    public FakeKubeApiServer Api { get; }
    public string Kubeconfig { get; }

    static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public JsonObject Create(string path, JsonObject obj) => Api.Store.Create(KubeRoute.Parse(path)!, obj);

    /// <summary>A pod in namespace db; its UID.</summary>
    public string Pod(string name, string? statefulSet = null)
    {
        var pod = Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"db"}}""");
        pod["metadata"]!["name"] = name;
        if (statefulSet is not null)
            pod["metadata"]!["ownerReferences"] = JsonNode.Parse($$$"""[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"{{{statefulSet}}}","uid":"sts-uid","controller":true}]""");
        return Create("/api/v1/namespaces/db/pods", pod)["metadata"]!["uid"]!.GetValue<string>();
    }

    public string SocketOf(string node) => Path.Combine(_dir.Sub("run"), node + ".sock");

    public async Task<Agent> StartAgent(string node, TimeSpan? leakGrace = null, int concurrent = 64, int queued = 512, bool waitReady = true)
    {
        var agent = await KubeBackend.StartAsync(new AgentOptions
        {
            NodeName = node,
            SocketPath = SocketOf(node),
            LeakGrace = leakGrace ?? TimeSpan.FromMinutes(5),
            HousekeepingInterval = TimeSpan.FromHours(1),
            ConcurrentRequests = concurrent,
            QueuedRequests = queued,
        }, Kubeconfig, Logger.None, default, new KubeStoreOptions { RetryDelay = TimeSpan.FromMilliseconds(5), WatchRetryDelay = TimeSpan.FromMilliseconds(50) });
        lock (_lock) _agents.Add(agent);
        if (waitReady) await agent.Serving.WaitAsync(TimeSpan.FromSeconds(120)); // a hang guard, not an assertion
        return agent;
    }

    /// <summary>Stops an agent as a kill would (its socket goes, in-flight requests are cut).</summary>
    public async Task StopAgent(Agent agent)
    {
        lock (_lock) _agents.Remove(agent);
        await agent.DisposeAsync();
    }

    public static AgentRequest Add(string container, string pod, string uid, string ifName = "eth0") => new()
    {
        Verb = "ADD", Pool = "big", Network = "mysql-net", ContainerId = container, IfName = ifName, PodNamespace = "db", PodName = pod, PodUid = uid,
    };

    public static AgentRequest Del(string container, string ifName = "eth0") => new()
    {
        Verb = "DEL", Pool = "big", Network = "mysql-net", ContainerId = container, IfName = ifName,
    };

    public AgentResponse Call(string node, AgentRequest request, TimeSpan? timeout = null) =>
        AgentClient.Call(SocketOf(node), request, timeout ?? TimeSpan.FromSeconds(10));

    public List<JsonObject> Reservations() =>
        Api.Store.List(KubeRoute.Parse("/apis/cdd.io/v1/ipreservations")!, Cdd.Testing.Kube.LabelSelector.Parse("")).Items;

    public List<JsonObject> ReservationsOf(string container) =>
        [.. Reservations().Where(r => r["spec"]?["owner"]?["containerID"]?.GetValue<string>() == container)];

    /// <summary>Requests received so far (method and URL), from index <paramref name="from"/> on.</summary>
    public List<(string Method, Uri Url)> Requests(int from = 0)
    {
        lock (_lock) return _requests.Skip(from).ToList();
    }

    public int RequestCount
    {
        get { lock (_lock) return _requests.Count; }
    }

    /// <summary>LISTs of reservations past the API server's cache: no resourceVersion, not a watch.</summary>
    public static bool IsQuorumReservationList((string Method, Uri Url) r)
    {
        if (r.Method != "GET" || !r.Url.AbsolutePath.EndsWith("/ipreservations", StringComparison.Ordinal)) return false;
        var q = System.Web.HttpUtility.ParseQueryString(r.Url.Query);
        return q["watch"] is not ("true" or "1") && string.IsNullOrEmpty(q["resourceVersion"]);
    }

    public async ValueTask DisposeAsync()
    {
        List<Agent> agents;
        lock (_lock) agents = [.. _agents];
        foreach (var a in agents) await a.DisposeAsync();
        Api.Dispose();
        _dir.Dispose();
    }
}

using System.Text.Json.Nodes;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Testing;
using Cdd.Testing.Kube;

namespace Cdd.Ipamd.Tests;

/// <summary>
/// cdd-ipamd on the Kubernetes store, against the in-process API server: agents started exactly as the daemon starts
/// them (from a kubeconfig), plugins' requests over their sockets, objects checked in the API server.
/// </summary>
[Tier(Tier.Unit)]
public sealed class KubeAgentTests : IAsyncLifetime
{
    readonly TempDir _dir = new("cdd-ipamd-kube");
    readonly FakeKubeApiServer _api = new FakeKubeApiServer()
        .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
        .Serve("cdd.io", "v1", "ippools", "IPPool")
        .Serve("", "v1", "pods", "Pod")
        .Serve("", "v1", "nodes", "Node")
        .Serve("", "v1", "namespaces", "Namespace");
    readonly List<Agent> _agents = [];
    string _kubeconfig = "";

    public Task InitializeAsync()
    {
        _kubeconfig = _api.WriteKubeconfig(Path.Combine(_dir.Path, "kubeconfig"));
        Create("/apis/cdd.io/v1/ippools", Obj("""
            {"apiVersion":"cdd.io/v1","kind":"IPPool","metadata":{"name":"mysql"},"spec":{
              "segments":[
                {"name":"seg-a","subnet":"10.10.0.0/24","gateway":"10.10.0.1","vlan":100,"nodeSelector":{"rack":"a"},"ranges":[{"start":"10.10.0.10","end":"10.10.0.19"}]},
                {"name":"seg-b","subnet":"10.20.0.0/24","gateway":"10.20.0.1","vlan":120,"nodeSelector":{"rack":"b"},"ranges":[{"start":"10.20.0.10","end":"10.20.0.19"}]}],
              "podSelector":{"matchLabels":{"app":"mysql"}}}}
            """));
        Create("/api/v1/nodes", Obj("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-a","labels":{"rack":"a"}}}"""));
        // node-b's trunk tags seg-a's VLAN 100: a seg-a address works there on a tagged VF.
        Create("/api/v1/nodes", Obj("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-b","labels":{"rack":"b"},"annotations":{"cdd.io/trunk-vlans":"100"}}}"""));
        Create("/api/v1/namespaces", Obj("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"db"}}"""));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var a in _agents) await a.DisposeAsync();
        _api.Dispose();
        _dir.Dispose();
    }

    static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    JsonObject Create(string path, JsonObject obj) => _api.Store.Create(KubeRoute.Parse(path)!, obj);

    string Pod(string name, string app = "mysql", string? statefulSet = null)
    {
        var pod = Obj("""{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"db"}}""");
        pod["metadata"]!["name"] = name;
        pod["metadata"]!["labels"] = new JsonObject { ["app"] = app };
        if (statefulSet is not null)
            pod["metadata"]!["ownerReferences"] = JsonNode.Parse($$"""[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"{{statefulSet}}","uid":"sts-uid","controller":true}]""");
        return Create("/api/v1/namespaces/db/pods", pod)["metadata"]!["uid"]!.GetValue<string>();
    }

    void DeletePod(string name) => _api.Store.Delete(KubeRoute.Parse($"/api/v1/namespaces/db/pods/{name}")!, null, null);

    async Task<Agent> StartAgent(string node, TimeSpan? leakGrace = null)
    {
        var agent = await KubeBackend.StartAsync(new AgentOptions
        {
            NodeName = node,
            SocketPath = Path.Combine(_dir.Sub("run"), node + ".sock"),
            LeakGrace = leakGrace ?? TimeSpan.FromMinutes(5),
            HousekeepingInterval = TimeSpan.FromHours(1),
        }, _kubeconfig, Logger.None, default);
        _agents.Add(agent);
        await agent.Serving.WaitAsync(TimeSpan.FromSeconds(60)); // a hang guard, not an assertion
        return agent;
    }

    static AgentResponse Call(Agent agent, AgentRequest request) => AgentClient.Call(agent.Options.SocketPath, request, TimeSpan.FromSeconds(20));

    List<JsonObject> Reservations() =>
        _api.Store.List(KubeRoute.Parse("/apis/cdd.io/v1/ipreservations")!, Cdd.Testing.Kube.LabelSelector.Parse("")).Items;

    [Fact]
    public async Task A_statefulset_member_moved_from_node_a_to_node_b_gets_its_address_and_vlan_back_through_the_api_server()
    {
        var a = await StartAgent("node-a");
        var b = await StartAgent("node-b");
        string uid = Pod("mysql-0", statefulSet: "mysql");

        var first = Call(a, AgentHarness.Add("mysql", "c-old", "db", "mysql-0", uid));
        Assert.Equal("seg-a", first.Segment);
        Assert.Equal(100, first.Vlan);
        Call(a, AgentHarness.Del("mysql", "c-old"));
        Assert.Single(Reservations());

        DeletePod("mysql-0");
        string uid2 = Pod("mysql-0", statefulSet: "mysql");
        var moved = Call(b, AgentHarness.Add("mysql", "c-new", "db", "mysql-0", uid2));

        Assert.Equal(first.Ips![0].Address, moved.Ips![0].Address);
        Assert.Equal(100, moved.Vlan);
        var held = Assert.Single(Reservations());
        Assert.Equal("node-b", held["spec"]!["node"]!.GetValue<string>());

        // The old container's DEL arrives late on node A: the new pod keeps its address.
        Assert.True(Call(a, AgentHarness.Del("mysql", "c-old")).Ok);
        Assert.Single(Reservations());
    }

    [Fact]
    public async Task A_pod_the_pools_selector_does_not_admit_is_refused_and_nothing_is_created()
    {
        var a = await StartAgent("node-a");
        string uid = Pod("web-0", app: "web");
        var ex = Assert.Throws<CniException>(() => Call(a, AgentHarness.Add("mysql", "c1", "db", "web-0", uid)));
        Assert.Equal(CniErrorCodes.NotPermitted, ex.Code);
        Assert.Empty(Reservations());
    }

    [Fact]
    public async Task A_deleted_pods_address_is_collected_after_the_grace_period_and_pool_status_counts_it()
    {
        var a = await StartAgent("node-a", leakGrace: TimeSpan.Zero);
        string uid = Pod("web-1");
        string keep = Pod("web-2");
        Call(a, AgentHarness.Add("mysql", "c1", "db", "web-1", uid));
        Call(a, AgentHarness.Add("mysql", "c2", "db", "web-2", keep));
        await a.HousekeepAsync(default);
        var pool = _api.Store.Get(KubeRoute.Parse("/apis/cdd.io/v1/ippools/mysql")!);
        Assert.Equal(2, pool["status"]!["allocated"]!.GetValue<long>());

        DeletePod("web-1");
        await a.HousekeepAsync(default); // first sighting starts the grace period
        await a.HousekeepAsync(default); // grace (zero) has passed: released

        var left = Assert.Single(Reservations());
        Assert.Equal("web-2", left["spec"]!["owner"]!["podName"]!.GetValue<string>());
        await a.HousekeepAsync(default);
        pool = _api.Store.Get(KubeRoute.Parse("/apis/cdd.io/v1/ippools/mysql")!);
        Assert.Equal(1, pool["status"]!["allocated"]!.GetValue<long>());
        Assert.Equal(1, a.Metrics.Releases.WithLabels("mysql", "leak").Value);
    }

    [Fact]
    public async Task An_unreachable_api_server_is_code_11_and_leaves_nothing_half_claimed()
    {
        var a = await StartAgent("node-a");
        string uid = Pod("web-1");
        _api.Faults.UnavailableRate = 1.0;
        var ex = Assert.Throws<CniException>(() => Call(a, AgentHarness.Add("mysql", "c1", "db", "web-1", uid)));
        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        _api.Faults.UnavailableRate = 0;
        Assert.Empty(Reservations());
        Assert.True(Call(a, AgentHarness.Add("mysql", "c1", "db", "web-1", uid)).Ok);
        Assert.Single(Reservations());
    }

    [Fact]
    public async Task An_api_server_that_does_not_answer_at_start_up_leaves_the_agent_alive_but_not_ready_until_it_does()
    {
        _api.Faults.UnavailableRate = 1.0;
        var agent = await KubeBackend.StartAsync(new AgentOptions
        {
            NodeName = "node-a",
            SocketPath = Path.Combine(_dir.Sub("run"), "node-a.sock"),
            Http = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
            LeakGrace = TimeSpan.FromMinutes(5),
            HousekeepingInterval = TimeSpan.FromHours(1),
        }, _kubeconfig, Logger.None, default);
        _agents.Add(agent);
        using var http = new HttpClient { BaseAddress = agent.HttpAddress };
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
        var notReady = await http.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("IPPool list", await notReady.Content.ReadAsStringAsync());
        string uid = Pod("web-1");
        var ex = Assert.Throws<CniException>(() => Call(agent, AgentHarness.Add("mysql", "c1", "db", "web-1", uid)));
        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        Assert.Contains("starting", ex.Msg);

        _api.Faults.UnavailableRate = 0;
        await agent.Serving.WaitAsync(TimeSpan.FromSeconds(60)); // a hang guard, not an assertion
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.True(Call(agent, AgentHarness.Add("mysql", "c1", "db", "web-1", uid)).Ok);
        Assert.Single(Reservations());
    }
}

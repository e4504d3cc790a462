using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Testing;

namespace Cdd.Ipamd.Tests;

/// <summary>What the agent asks of the API server once started: no LIST past the API server's cache on any verb.</summary>
[Tier(Tier.Unit)]
public sealed class ApiCostTests : IAsyncLifetime
{
    readonly KubeAgentLab _lab = new(racks: 4);

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task Add_del_check_gc_a_fixed_member_and_a_leak_sweep_make_no_quorum_list_and_watch_only_this_nodes_segments()
    {
        var agent = await _lab.StartAgent("node-a", leakGrace: TimeSpan.Zero);
        int from = _lab.RequestCount;
        string web = _lab.Pod("web-1"), member = _lab.Pod("mysql-0", statefulSet: "mysql");

        var got = _lab.Call("node-a", KubeAgentLab.Add("c1", "web-1", web));
        Assert.True(_lab.Call("node-a", new AgentRequest
        {
            Verb = "CHECK", Pool = "big", Network = "mysql-net", ContainerId = "c1", IfName = "eth0", Addresses = [got.Ips![0].Address!.Split('/')[0]],
        }).Ok);
        Assert.True(_lab.Call("node-a", KubeAgentLab.Add("c2", "mysql-0", member)).Ok);
        Assert.True(_lab.Call("node-a", KubeAgentLab.Del("c2")).Ok); // the member's binding stays, owner-less
        Assert.True(_lab.Call("node-a", KubeAgentLab.Add("c3", "mysql-0", member)).Ok); // and comes back by its label
        Assert.True(_lab.Call("node-a", KubeAgentLab.Del("c1")).Ok);
        Assert.True(_lab.Call("node-a", KubeAgentLab.Del("c1")).Ok); // repeated: nothing in the cache, no fresh LIST either
        Assert.True(_lab.Call("node-a", new AgentRequest { Verb = "GC", Pool = "big", Network = "mysql-net", Valid = [new AgentAttachment { ContainerId = "c3", IfName = "eth0" }] }).Ok);
        await agent.HousekeepAsync(default);
        await agent.HousekeepAsync(default);

        var requests = _lab.Requests(from);
        Assert.Empty(requests.Where(KubeAgentLab.IsQuorumReservationList).Select(r => r.Url.ToString()));
        // Watches of reservations select this node's segment (rack a): none for the other racks. (The status writer
        // counts every segment, from the API server's cache: resourceVersion 0.)
        var reservationCalls = requests.Where(r => r.Method == "GET" && r.Url.AbsolutePath.EndsWith("/ipreservations", StringComparison.Ordinal)
            && System.Web.HttpUtility.ParseQueryString(r.Url.Query)["resourceVersion"] != "0").ToList();
        Assert.All(reservationCalls, r => Assert.Contains("cdd.io", Uri.UnescapeDataString(r.Url.Query)));
        Assert.DoesNotContain(reservationCalls, r => Uri.UnescapeDataString(r.Url.Query).Contains("seg-b", StringComparison.Ordinal));
        Assert.Single(_lab.Reservations()); // the member's binding
    }

    [Fact]
    public async Task Only_the_agent_holding_the_status_lease_writes_pool_status_and_it_counts_every_segment()
    {
        var a = await _lab.StartAgent("node-a");
        var b = await _lab.StartAgent("node-b");
        string web = _lab.Pod("web-1"), other = _lab.Pod("web-2");
        Assert.True(_lab.Call("node-a", KubeAgentLab.Add("c1", "web-1", web)).Ok);
        Assert.True(_lab.Call("node-b", KubeAgentLab.Add("c2", "web-2", other)).Ok);
        int from = _lab.RequestCount;

        for (int i = 0; i < 3; i++)
        {
            await a.HousekeepAsync(default);
            await b.HousekeepAsync(default);
        }

        var statusWrites = _lab.Requests(from).Where(r => r.Method == "PUT" && r.Url.AbsolutePath.EndsWith("/ippools/big/status", StringComparison.Ordinal)).ToList();
        Assert.Single(statusWrites); // one writer, and only when the counts changed
        var pool = _lab.Api.Store.Get(Cdd.Testing.Kube.KubeRoute.Parse("/apis/cdd.io/v1/ippools/big")!);
        Assert.Equal(2, pool["status"]!["allocated"]!.GetValue<long>());
        Assert.Equal(1, pool["status"]!["segments"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == "seg-b")!["allocated"]!.GetValue<long>());
    }
}

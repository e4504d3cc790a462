using Cdd.Cni.Spec;
using Cdd.Testing;

namespace Cdd.Ipamd.Tests;

/// <summary>
/// An ADD its client gave up on claims nothing, or gives back what it claimed: against an API server that accepts
/// the create, stalls past the client's deadline, then applies it.
/// </summary>
[Tier(Tier.Unit)]
public sealed class LateClaimTests : IAsyncLifetime
{
    readonly KubeAgentLab _lab = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    void StallCreates(TimeSpan by)
    {
        _lab.Api.Faults.StallMethods = new HashSet<string> { "POST" };
        _lab.Api.Faults.Stall = by;
    }

    [Fact]
    public async Task An_add_answered_after_its_clients_deadline_leaves_no_reservation_for_the_attachment()
    {
        var agent = await _lab.StartAgent("node-a");
        string uid = _lab.Pod("web-1");
        StallCreates(TimeSpan.FromSeconds(3));

        var ex = Assert.Throws<CniException>(() => _lab.Call("node-a", KubeAgentLab.Add("c1", "web-1", uid), TimeSpan.FromSeconds(1)));

        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        // The create lands once the stall is over; the agent gives it back at once.
        Eventually.True("the stalled create to land and be given back", () =>
            agent.Metrics.Releases.WithLabels("big", "abandoned").Value == 1 && _lab.ReservationsOf("c1").Count == 0, TimeSpan.FromSeconds(30));
        Assert.Empty(_lab.Reservations());
        Assert.Equal(1, agent.Metrics.Requests.WithLabels("ADD", "timeout").Value);
        Assert.Equal(0, agent.Metrics.Requests.WithLabels("ADD", CniErrorCodes.Internal.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value);

        // The runtime's retry of the same attachment, once the server is quick again, gets an address and keeps it.
        _lab.Api.Faults.Stall = TimeSpan.Zero;
        Assert.True(_lab.Call("node-a", KubeAgentLab.Add("c1", "web-1", uid)).Ok);
        Assert.Single(_lab.ReservationsOf("c1"));
    }

    [Fact]
    public async Task The_agent_answers_code_11_before_the_clients_own_timeout()
    {
        await _lab.StartAgent("node-a");
        string uid = _lab.Pod("web-1");
        StallCreates(TimeSpan.FromSeconds(4));

        var ex = Assert.Throws<CniException>(() => _lab.Call("node-a", KubeAgentLab.Add("c1", "web-1", uid), TimeSpan.FromSeconds(2)));

        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        Assert.Contains("before the client's deadline", ex.Msg); // the agent's answer, not the client's socket timeout
    }

    [Fact]
    public async Task A_del_arriving_while_its_add_is_in_flight_waits_for_it_and_releases_what_it_took()
    {
        await _lab.StartAgent("node-a");
        string uid = _lab.Pod("web-1");
        StallCreates(TimeSpan.FromSeconds(3));

        var add = Task.Run(() => _lab.Call("node-a", KubeAgentLab.Add("c1", "web-1", uid), TimeSpan.FromSeconds(20)));
        Eventually.True("the ADD's create to reach the API server", () => _lab.Requests().Any(r => r.Method == "POST" && r.Url.AbsolutePath.EndsWith("/ipreservations", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        var del = _lab.Call("node-a", KubeAgentLab.Del("c1"), TimeSpan.FromSeconds(20));

        Assert.True(del.Ok, del.Msg);
        Assert.Empty(_lab.ReservationsOf("c1"));
        var ex = await Assert.ThrowsAsync<CniException>(() => add);
        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        Assert.Empty(_lab.Reservations());
    }

    [Fact]
    public async Task A_client_that_hangs_up_cancels_its_add_and_the_claim_is_given_back()
    {
        var agent = await _lab.StartAgent("node-a");
        string uid = _lab.Pod("web-1");
        StallCreates(TimeSpan.FromSeconds(2));
        using (var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(_lab.SocketOf("node-a")));
            var request = KubeAgentLab.Add("c1", "web-1", uid);
            request.TimeoutMs = 60_000;
            s.Send([.. System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request, Cdd.Ipam.Agent.Protocol.Wire.AgentJsonContext.Default.AgentRequest), (byte)'\n']);
            Eventually.True("the ADD's create to reach the API server", () => _lab.Requests().Any(r => r.Method == "POST" && r.Url.AbsolutePath.EndsWith("/ipreservations", StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        }
        Eventually.True("the claim to be given back after the hang-up", () =>
            agent.Metrics.Releases.WithLabels("big", "abandoned").Value == 1 && _lab.Reservations().Count == 0, TimeSpan.FromSeconds(30));
        Assert.Equal(1, agent.Metrics.Requests.WithLabels("ADD", "timeout").Value);
    }

    [Fact]
    public async Task A_reservation_of_this_node_that_no_answered_add_stands_behind_is_collected_even_while_its_pod_lives()
    {
        var agent = await _lab.StartAgent("node-a", leakGrace: TimeSpan.Zero);
        string uid = _lab.Pod("web-1");
        Assert.True(_lab.Call("node-a", KubeAgentLab.Add("c-live", "web-1", uid)).Ok);
        // A claim that landed for a sandbox whose ADD nobody answered (an earlier agent's, cut off mid-request).
        _lab.Create("/apis/cdd.io/v1/ipreservations", System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion":"cdd.io/v1","kind":"IPReservation","metadata":{"name":"big-10-40-0-77","labels":{"cdd.io/pool":"big","cdd.io/segment":"seg-a","cdd.io/node":"node-a"}},
             "spec":{"pool":"big","segment":"seg-a","address":"10.40.0.77","vlan":100,"node":"node-a",
                     "owner":{"containerID":"c-late","ifname":"eth0","podNamespace":"db","podName":"web-1","podUID":"UID","network":"mysql-net"}}}
            """.Replace("UID", uid, StringComparison.Ordinal))!.AsObject());
        // Sweeps read the agent's cache: the first after the watch delivered it starts the (zero) grace, the next releases.
        await Eventually.TrueAsync("the leak collector to release the unanswered claim", async () =>
        {
            await agent.HousekeepAsync(default);
            return _lab.ReservationsOf("c-late").Count == 0;
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(1, agent.Metrics.Releases.WithLabels("big", "leak").Value);
        Assert.Single(_lab.ReservationsOf("c-live")); // the answered attachment of the same pod stays
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;

namespace Cdd.Ipamd.Tests;

/// <summary>The running agent: its socket as the plugins reach it, and its HTTP health and metrics.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class AgentHostTests : IDisposable
{
    readonly FakeCluster _cluster = new FakeCluster().With(Pools.TwoRacks());
    readonly AgentHarness _h;

    public AgentHostTests()
    {
        _h = new AgentHarness(_cluster);
        _cluster.Nodes["node-a"] = Pools.Node("node-a", "a");
    }

    public void Dispose() => _h.Dispose();

    Task<Agent> Start(string socket, bool http = false) => Agent.StartAsync(
        new AgentOptions { NodeName = "node-a", SocketPath = socket, Http = http ? new IPEndPoint(IPAddress.Loopback, 0) : null, HousekeepingInterval = TimeSpan.FromHours(1) },
        _cluster, _h.Stores, podsRequired: false, Logger.None);

    [Fact]
    public async Task The_plugin_client_gets_an_address_over_the_socket_and_the_socket_is_0660()
    {
        string path = _h.SocketPath("a");
        await using var agent = await Start(path);
        var r = AgentClient.Call(path, AgentHarness.Add("mysql", "c1"), TimeSpan.FromSeconds(5));
        Assert.StartsWith("10.10.0.", r.Ips![0].Address);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_refusal_reaches_the_plugin_as_a_cni_error_with_its_code()
    {
        string path = _h.SocketPath("a");
        await using var agent = await Start(path);
        var ex = Assert.Throws<CniException>(() => AgentClient.Call(path, AgentHarness.Add("nope", "c1"), TimeSpan.FromSeconds(5)));
        Assert.Equal(CniErrorCodes.InvalidNetworkConfig, ex.Code);
        Assert.Contains("IPPool nope does not exist", ex.Msg);
    }

    [Fact]
    public async Task Garbage_on_the_socket_is_answered_with_code_6()
    {
        string path = _h.SocketPath("a");
        await using var agent = await Start(path);
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(path));
        s.Send("{not json"u8.ToArray());
        s.Shutdown(SocketShutdown.Send);
        var buf = new byte[4096];
        int n = 0, got;
        while ((got = s.Receive(buf, n, buf.Length - n, SocketFlags.None)) > 0) n += got;
        Assert.Contains("\"code\":6", Encoding.UTF8.GetString(buf, 0, n));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_and_a_live_agent_is_not()
    {
        string path = _h.SocketPath("a");
        // A socket inode nobody listens on, as a killed agent leaves it (.NET unlinks what it bound on dispose, so rename it away first).
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(path + ".dead"));
            File.Move(path + ".dead", path);
        }
        Assert.True(File.Exists(path));

        await using var agent = await Start(path);
        var second = await Assert.ThrowsAsync<IOException>(() => Start(path));
        Assert.Contains("already serves", second.Message);
        Assert.True(AgentClient.Call(path, new AgentRequest { Verb = "STATUS", Pool = "mysql", Network = "n" }, TimeSpan.FromSeconds(5)).Ok);
    }

    [Fact]
    public async Task Stopping_the_agent_removes_its_socket_and_the_plugin_then_gets_code_11()
    {
        string path = _h.SocketPath("a");
        await (await Start(path)).DisposeAsync();
        Assert.False(File.Exists(path));
        var ex = Assert.Throws<CniException>(() => AgentClient.Call(path, AgentHarness.Add("mysql", "c1"), TimeSpan.FromSeconds(5)));
        Assert.Equal(CniErrorCodes.TryAgainLater, ex.Code);
        Assert.Contains(path, ex.Msg);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_are_served_over_http()
    {
        await using var agent = await Start(_h.SocketPath("a"), http: true);
        using var http = new HttpClient { BaseAddress = agent.HttpAddress };
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));

        AgentClient.Call(_h.SocketPath("a"), AgentHarness.Add("mysql", "c1"), TimeSpan.FromSeconds(5));
        AgentClient.Call(_h.SocketPath("a"), AgentHarness.Add("mysql", "c2"), TimeSpan.FromSeconds(5));
        Assert.ThrowsAny<CniException>(() => AgentClient.Call(_h.SocketPath("a"), AgentHarness.Add("nope", "c3"), TimeSpan.FromSeconds(5)));
        await agent.HousekeepAsync(default);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        string metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("cdd_ipamd_allocations_total{pool=\"mysql\"} 2\n", metrics);
        Assert.Contains("cdd_ipamd_requests_total{verb=\"ADD\",result=\"ok\"} 2\n", metrics);
        Assert.Contains("cdd_ipamd_requests_total{verb=\"ADD\",result=\"7\"} 1\n", metrics);
        Assert.Contains("cdd_ipamd_request_duration_seconds_count{verb=\"ADD\"} 3\n", metrics);
        Assert.Contains("cdd_ipamd_pool_addresses{pool=\"mysql\",segment=\"seg-a\",state=\"allocated\"} 2\n", metrics);
        Assert.Contains("cdd_ipamd_pool_addresses{pool=\"mysql\",segment=\"seg-a\",state=\"free\"} 8\n", metrics);
        // The start-up round wrote the empty pool; this round wrote the change (and an unchanged pool is not rewritten).
        var status = _cluster.StatusWrites[^1];
        Assert.Equal(2, status.Usage.Single(u => u.Segment == "seg-a").Allocated);
        int writes = _cluster.StatusWrites.Count;
        await agent.HousekeepAsync(default);
        Assert.Equal(writes, _cluster.StatusWrites.Count);
    }
}

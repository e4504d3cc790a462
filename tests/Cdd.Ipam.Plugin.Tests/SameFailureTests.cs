using System.Text;
using System.Text.Json.Nodes;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Files;
using Cdd.Ipamd;
using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests;

/// <summary>
/// One failure, two adapters: cdd-ipam on its file store (pool in the config) and cdd-ipamd answering on its socket
/// (the same pool, its own file store) run the same steps, and the runtime sees the same code and message from both.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class SameFailureTests : IDisposable
{
    readonly TempDir _dir = new("cdd-ipam-same");
    readonly string _config;
    readonly AgentCore _agent;

    public SameFailureTests() : this(tiny: false) { }

    /// <param name="tiny">seg-a as a /30 with its gateway outside: two addresses for rack a.</param>
    SameFailureTests(bool tiny)
    {
        _config = IpamConfigs.ReferenceMacvlan(IpamConfigs.Ipam(_dir.Sub("plugin")), "1.1.0");
        if (tiny) _config = _config.Replace("\"gateway\":\"10.10.0.1\",", "").Replace("10.10.0.0/24", "10.10.0.0/30");
        var settings = IpamSettings.Parse(Encoding.UTF8.GetBytes(_config), new Dictionary<string, string?>());
        string agentData = _dir.Sub("agent");
        _agent = new AgentCore(new FileClusterView([settings.Pool], settings.Node, agentData), new FilePoolStores(agentData, TimeSpan.FromSeconds(10)),
            settings.Node.Name, new AgentMetrics(), Serilog.Core.Logger.None, podsRequired: false);
    }

    public void Dispose() => _dir.Dispose();

    sealed record Step(string Verb, string Container, string? Requested = null, string? PrevAddress = null);

    (int Code, string? Msg) ViaPlugin(Step s, string config)
    {
        var node = JsonNode.Parse(config)!.AsObject();
        if (s.Requested is not null) node["runtimeConfig"] = new JsonObject { ["ips"] = new JsonArray(s.Requested) };
        if (s.PrevAddress is not null)
            node["prevResult"] = JsonNode.Parse($$"""{"cniVersion":"1.1.0","ips":[{"address":"{{s.PrevAddress}}/24"}]}""");
        var env = new Dictionary<string, string?>
        {
            ["CNI_COMMAND"] = s.Verb, ["CNI_CONTAINERID"] = s.Container, ["CNI_NETNS"] = "/var/run/netns/x",
            ["CNI_IFNAME"] = "eth0", ["CNI_PATH"] = "/opt/cni/bin", ["CNI_ARGS"] = "",
        };
        var stdout = new MemoryStream();
        int exit = IpamDispatcher.Run(env, new MemoryStream(Encoding.UTF8.GetBytes(node.ToJsonString())), stdout, TextWriter.Null);
        if (exit == 0) return (0, null);
        var error = JsonNode.Parse(stdout.ToArray())!;
        return ((int)error["code"]!, (string?)error["msg"]);
    }

    (int Code, string? Msg) ViaAgent(Step s)
    {
        var request = new AgentRequest
        {
            Verb = s.Verb, Pool = "mysql", Network = "mysqlnet", RequestedIp = s.Requested?.Split('/')[0],
            ContainerId = s.Verb is "ADD" or "DEL" or "CHECK" ? s.Container : null,
            IfName = s.Verb is "ADD" or "DEL" or "CHECK" ? "eth0" : null,
            Addresses = s.PrevAddress is null ? null : [s.PrevAddress],
        };
        var response = _agent.HandleAsync(request, default).GetAwaiter().GetResult();
        return response.Ok ? (0, null) : (response.Code, response.Msg);
    }

    /// <summary>Runs every step through both adapters; all but the last must succeed; returns the last step's failure (equal on both).</summary>
    (int Code, string Msg) Both(string config, params Step[] steps)
    {
        (int, string?) plugin = default, agent = default;
        foreach (var (s, i) in steps.Select((s, i) => (s, i)))
        {
            plugin = ViaPlugin(s, config);
            agent = ViaAgent(s);
            if (i < steps.Length - 1)
            {
                Assert.Equal((0, null), plugin);
                Assert.Equal((0, null), agent);
            }
        }
        Assert.Equal(plugin, agent);
        Assert.NotEqual(0, agent.Item1);
        return (agent.Item1, agent.Item2!);
    }

    [Fact]
    public void An_exhausted_pool()
    {
        using var t = new SameFailureTests(tiny: true);
        var (code, msg) = t.Both(t._config, new Step("ADD", "c1"), new Step("ADD", "c2"), new Step("ADD", "c3"));
        Assert.Equal(110, code);
        Assert.StartsWith("pool mysql is exhausted", msg);
    }

    [Fact]
    public void Check_of_an_attachment_that_holds_nothing()
    {
        var (code, msg) = Both(_config, new Step("CHECK", "c9", PrevAddress: "10.10.0.2"));
        Assert.Equal(102, code);
        Assert.Equal("pool mysql holds no address for container c9 interface eth0", msg);
    }

    [Fact]
    public void Check_against_a_prev_result_with_another_address()
    {
        var (code, msg) = Both(_config, new Step("ADD", "c1"), new Step("CHECK", "c1", PrevAddress: "10.10.0.9"));
        Assert.Equal(102, code);
        Assert.Equal("pool mysql holds 10.10.0.2 for container c1, but prevResult has 10.10.0.9", msg);
    }

    [Fact]
    public void A_requested_address_outside_the_pool()
    {
        var (code, msg) = Both(_config, new Step("ADD", "c1", Requested: "192.168.7.5/24"));
        Assert.Equal(112, code);
        Assert.Contains("192.168.7.5", msg);
    }

    [Fact]
    public void A_requested_address_another_attachment_holds()
    {
        var (code, msg) = Both(_config, new Step("ADD", "c1", Requested: "10.10.0.7"), new Step("ADD", "c2", Requested: "10.10.0.7"));
        Assert.Equal(111, code);
        Assert.Contains("10.10.0.7", msg);
    }

    [Fact]
    public void Status_of_an_exhausted_pool()
    {
        using var t = new SameFailureTests(tiny: true);
        var (code, msg) = t.Both(t._config, new Step("ADD", "c1"), new Step("ADD", "c2"), new Step("STATUS", ""));
        Assert.Equal(50, code);
        Assert.Equal("pool mysql is exhausted for node node-a", msg);
    }
}

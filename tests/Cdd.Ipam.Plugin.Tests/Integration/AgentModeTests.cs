using Cdd.Ipam.Config;
using Cdd.Ipam.Files;
using Cdd.Ipam.Model;
using Cdd.Ipamd;
using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests.Integration;

/// <summary>
/// Root: cdd-ipamd (in this process, on the file store) serving cdd-cni directly and cdd-ipam under Debian's reference
/// macvlan, on real namespaces. The network configs name the pool only: the agent holds the pools.
/// </summary>
[Tier(Tier.Root)]
public sealed class AgentModeTests : IAsyncLifetime
{
    readonly IpamCluster _c = new();
    Ipamd.Agent? _agent;
    string _socket = "";

    public async Task InitializeAsync()
    {
        _socket = Path.Combine(_c.Temp.Sub("run"), "ipamd.sock");
        var pool = PoolParser.Parse(new PoolJson
        {
            Name = "mysql",
            Segments =
            [
                new SegmentJson { Name = "seg-a", Subnet = "10.10.0.0/24", Gateway = "10.10.0.1", Vlan = 100, NodeSelector = new() { ["rack"] = "a" }, Routes = [new RouteSpecJson { Dst = "0.0.0.0/0" }] },
                new SegmentJson { Name = "seg-b", Subnet = "10.20.0.0/24", Gateway = "10.20.0.1", Vlan = 120, NodeSelector = new() { ["rack"] = "b" }, Routes = [new RouteSpecJson { Dst = "0.0.0.0/0" }] },
            ],
        });
        var node = new NodeView("node-b", new Dictionary<string, string> { ["rack"] = "b" }, new HashSet<int>());
        var view = new FileClusterView([pool], node, _c.DataDir);
        _agent = await Ipamd.Agent.StartAsync(new AgentOptions { NodeName = "node-b", SocketPath = _socket }, view,
            new FilePoolStores(_c.DataDir, TimeSpan.FromSeconds(10)), podsRequired: false, new Serilog.LoggerConfiguration().CreateLogger());
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        _c.Dispose();
    }

    string Ipam(string? socket = null) => $$"""{"type":"cdd-ipam","pool":"mysql","socket":"{{socket ?? _socket}}","timeoutSeconds":5}""";

    [Fact]
    public void Cdd_cni_asks_the_agent_itself_and_the_pod_gets_the_segments_address_and_route()
    {
        var node = _c.NewNode();
        var pod = _c.NewPod();
        string conf = IpamConfigs.CddCniMacvlan(Ipam());

        // No cdd-ipam on this CNI_PATH: an exec of the IPAM plugin would fail, so success means the direct path.
        var add = PluginRun.Exec(RepoRoot.CddCni, node.Name, "ADD", conf, "c1", pod.Path, _c.StateDir, cniPath: "/usr/lib/cni").Ok("cdd-cni ADD");
        Assert.Equal("10.20.0.2/24", add.Address);
        Assert.Equal(["10.20.0.2/24"], Ip.Addresses(pod.Name, "eth0"));
        Assert.Contains("default via 10.20.0.1 dev eth0", pod.Ip_("route", "show"));
        Assert.Equal("c1", _c.Reservations()["10.20.0.2"].GetProperty("owner").GetProperty("containerID").GetString());

        PluginRun.Exec(RepoRoot.CddCni, node.Name, "CHECK", With(conf, "prevResult", add.Stdout), "c1", pod.Path, _c.StateDir, cniPath: "/usr/lib/cni").Ok("cdd-cni CHECK");
        PluginRun.Exec(RepoRoot.CddCni, node.Name, "DEL", conf, "c1", pod.Path, _c.StateDir, cniPath: "/usr/lib/cni").Ok("cdd-cni DEL");
        PluginRun.Exec(RepoRoot.CddCni, node.Name, "DEL", conf, "c1", pod.Path, _c.StateDir, cniPath: "/usr/lib/cni").Ok("cdd-cni DEL again");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(_c.Reservations());
        Assert.Equal(1, _agent!.Metrics.Allocations.WithLabels("mysql").Value);
    }

    [Fact]
    public void Reference_macvlan_with_cdd_ipam_in_agent_mode_gives_the_pod_its_address_and_del_frees_it()
    {
        var node = _c.NewNode();
        var pod = _c.NewPod();
        string conf = IpamConfigs.ReferenceMacvlan(Ipam());

        var add = PluginRun.Exec("/usr/lib/cni/macvlan", node.Name, "ADD", conf, "r1", pod.Path, _c.StateDir).Ok("macvlan ADD");
        Assert.Equal("10.20.0.2/24", add.Address);
        Assert.Equal(["10.20.0.2/24"], Ip.Addresses(pod.Name, "eth0"));

        // cdd-ipam's own answer carries the segment and its VLAN.
        var raw = PluginRun.Exec(RepoRoot.Published("cdd-ipam", "ipam/Cdd.Ipam.Plugin/Cdd.Ipam.Plugin.csproj"), node.Name, "ADD", conf, "r1", pod.Path, _c.StateDir).Ok("cdd-ipam ADD");
        Assert.Equal("seg-b", raw.Json.GetProperty("segment").GetString());
        Assert.Equal(120, raw.Json.GetProperty("vlan").GetInt32());
        Assert.Equal("10.20.0.2/24", raw.Address);

        PluginRun.Exec("/usr/lib/cni/macvlan", node.Name, "CHECK", With(conf, "prevResult", add.Stdout), "r1", pod.Path, _c.StateDir).Ok("macvlan CHECK");
        PluginRun.Exec("/usr/lib/cni/macvlan", node.Name, "DEL", conf, "r1", pod.Path, _c.StateDir).Ok("macvlan DEL");
        Assert.Empty(_c.Reservations());
    }

    [Fact]
    public void Without_a_running_agent_add_is_code_11_naming_the_socket_and_leaves_nothing_in_the_pod()
    {
        var node = _c.NewNode();
        var pod = _c.NewPod();
        string missing = Path.Combine(_c.Temp.Path, "run", "absent.sock");
        var add = PluginRun.Exec(RepoRoot.CddCni, node.Name, "ADD", IpamConfigs.CddCniMacvlan(Ipam(missing)), "c1", pod.Path, _c.StateDir);

        Assert.NotEqual(0, add.Exit);
        Assert.Equal(11, add.Json.GetProperty("code").GetInt32());
        Assert.Contains(missing, add.Json.GetProperty("msg").GetString());
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(_c.Reservations());
    }

    [Fact]
    public void An_inline_pool_without_store_file_is_code_7_saying_what_to_write()
    {
        var node = _c.NewNode();
        var pod = _c.NewPod();
        string conf = IpamConfigs.CddCniMacvlan("""{"type":"cdd-ipam","pool":{"name":"mysql"}}""");
        var add = PluginRun.Exec(RepoRoot.CddCni, node.Name, "ADD", conf, "c1", pod.Path, _c.StateDir);
        Assert.Equal(7, add.Json.GetProperty("code").GetInt32());
        Assert.Contains("ipam.pool", add.Json.GetProperty("msg").GetString());
        Assert.Null(Ip.Link(pod.Name, "eth0"));
    }

    static string With(string config, string key, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(config)!.AsObject();
        node[key] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return node.ToJsonString();
    }
}

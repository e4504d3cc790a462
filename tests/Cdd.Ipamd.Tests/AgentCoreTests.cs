using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Config;
using Cdd.Ipam.Model;

namespace Cdd.Ipamd.Tests;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class AgentCoreTests : IDisposable
{
    readonly FakeCluster _cluster = new FakeCluster().With(Pools.TwoRacks());
    readonly AgentHarness _h;

    public AgentCoreTests()
    {
        _h = new AgentHarness(_cluster);
        _cluster.Nodes["node-a"] = Pools.Node("node-a", "a");
        // node-b's SR-IOV trunk can tag seg-a's VLAN 100: a seg-a address works there on a tagged VF.
        _cluster.Nodes["node-b"] = Pools.Node("node-b", "b", 100);
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Add_answers_address_gateway_routes_and_the_segment_vlan()
    {
        var pod = _cluster.AddPod("db", "web-1");
        var r = await _h.Core("node-b").HandleAsync(AgentHarness.Add("mysql", "c1", "db", "web-1", pod.Uid), default);

        Assert.True(r.Ok, r.Msg);
        var ip = Assert.Single(r.Ips!);
        Assert.StartsWith("10.20.0.", ip.Address);
        Assert.EndsWith("/24", ip.Address);
        Assert.Equal("10.20.0.1", ip.Gateway);
        Assert.Equal("0.0.0.0/0", Assert.Single(r.Routes!).Dst);
        Assert.Equal("seg-b", r.Segment);
        Assert.Equal(120, r.Vlan);
    }

    [Fact]
    public async Task Add_repeated_for_one_attachment_answers_the_same_address()
    {
        var core = _h.Core("node-a");
        var first = await core.HandleAsync(AgentHarness.Add("mysql", "c1"), default);
        var again = await core.HandleAsync(AgentHarness.Add("mysql", "c1"), default);
        Assert.Equal(first.Ips![0].Address, again.Ips![0].Address);
        var other = await core.HandleAsync(AgentHarness.Add("mysql", "c2"), default);
        Assert.NotEqual(first.Ips![0].Address, other.Ips![0].Address);
    }

    [Fact]
    public async Task Del_frees_the_address_and_repeating_it_still_succeeds()
    {
        var core = _h.Core("node-a");
        await core.HandleAsync(AgentHarness.Add("mysql", "c1"), default);
        Assert.True((await core.HandleAsync(AgentHarness.Del("mysql", "c1"), default)).Ok);
        Assert.True((await core.HandleAsync(AgentHarness.Del("mysql", "c1"), default)).Ok);
        Assert.Empty(Directory.GetFiles(Path.Combine(_h.DataDir, "mysql"), "10.*"));
    }

    [Fact]
    public async Task Del_for_a_pool_deleted_since_succeeds()
    {
        var r = await _h.Core("node-a").HandleAsync(AgentHarness.Del("gone-pool", "c1"), default);
        Assert.True(r.Ok, r.Msg);
    }

    [Fact]
    public async Task Add_from_an_unknown_pool_is_code_7_naming_the_pool()
    {
        var r = await _h.Core("node-a").HandleAsync(AgentHarness.Add("nope", "c1"), default);
        Assert.False(r.Ok);
        Assert.Equal(CniErrorCodes.InvalidNetworkConfig, r.Code);
        Assert.Contains("IPPool nope does not exist", r.Msg);
    }

    [Fact]
    public async Task Add_for_a_pod_not_in_the_api_server_is_code_11_and_claims_nothing()
    {
        var r = await _h.Core("node-a").HandleAsync(AgentHarness.Add("mysql", "c1", "db", "ghost-0"), default);
        Assert.Equal(CniErrorCodes.TryAgainLater, r.Code);
        Assert.Contains("db/ghost-0", r.Msg);
        Assert.False(Directory.Exists(Path.Combine(_h.DataDir, "mysql")) && Directory.GetFiles(Path.Combine(_h.DataDir, "mysql"), "10.*").Length > 0);
    }

    [Fact]
    public async Task Add_for_a_recreated_pod_with_another_uid_is_code_11()
    {
        _cluster.AddPod("db", "web-1");
        var r = await _h.Core("node-a").HandleAsync(AgentHarness.Add("mysql", "c1", "db", "web-1", "old-uid"), default);
        Assert.Equal(CniErrorCodes.TryAgainLater, r.Code);
        Assert.Contains("recreated", r.Msg);
    }

    [Fact]
    public async Task A_pod_outside_the_pools_selectors_is_refused_with_code_114_and_nothing_claimed()
    {
        _cluster.With(Pools.TwoRacks("guarded",
            podSelector: new LabelSelectorJson { MatchLabels = new() { ["app"] = "mysql" } },
            namespaceSelector: new LabelSelectorJson { MatchExpressions = [new LabelRequirementJson { Key = "tier", Operator = "In", Values = ["db"] }] }));
        _cluster.AddPod("db", "mysql-0", labels: new() { ["app"] = "mysql" });
        _cluster.Namespaces["db"] = new Dictionary<string, string> { ["tier"] = "db" };
        _cluster.AddPod("db", "web-0", labels: new() { ["app"] = "web" });
        _cluster.AddPod("dev", "mysql-0", labels: new() { ["app"] = "mysql" });
        var core = _h.Core("node-a");

        var wrongPod = await core.HandleAsync(AgentHarness.Add("guarded", "c1", "db", "web-0"), default);
        var wrongNs = await core.HandleAsync(AgentHarness.Add("guarded", "c2", "dev", "mysql-0"), default);
        var admitted = await core.HandleAsync(AgentHarness.Add("guarded", "c3", "db", "mysql-0"), default);

        Assert.Equal(CniErrorCodes.NotPermitted, wrongPod.Code);
        Assert.Contains("does not admit pod db/web-0", wrongPod.Msg);
        Assert.Equal(CniErrorCodes.NotPermitted, wrongNs.Code);
        Assert.True(admitted.Ok, admitted.Msg);
        Assert.Single(Directory.GetFiles(Path.Combine(_h.DataDir, "guarded"), "10.*"));
    }

    [Fact]
    public async Task A_statefulset_member_moved_to_a_node_on_another_segment_keeps_its_address_and_that_segments_vlan()
    {
        var first = _cluster.AddPod("db", "mysql-2", statefulSet: "mysql");
        var onA = await _h.Core("node-a").HandleAsync(AgentHarness.Add("mysql", "c-old", "db", "mysql-2", first.Uid), default);
        Assert.Equal(100, onA.Vlan);
        Assert.True((await _h.Core("node-a").HandleAsync(AgentHarness.Del("mysql", "c-old"), default)).Ok);

        // Something else takes the segment-a address's neighbour in between; the binding must still hold.
        await _h.Core("node-a").HandleAsync(AgentHarness.Add("mysql", "c-other"), default);
        _cluster.DeletePod("db", "mysql-2");
        var second = _cluster.AddPod("db", "mysql-2", statefulSet: "mysql");
        var onB = await _h.Core("node-b").HandleAsync(AgentHarness.Add("mysql", "c-new", "db", "mysql-2", second.Uid), default);

        Assert.True(onB.Ok, onB.Msg);
        Assert.Equal(onA.Ips![0].Address, onB.Ips![0].Address);
        Assert.Equal("seg-a", onB.Segment);
        Assert.Equal(100, onB.Vlan);
    }

    [Fact]
    public async Task The_fixed_ip_annotation_holding_an_address_gets_that_address()
    {
        var pod = _cluster.AddPod("db", "adhoc", annotations: new() { [FixedIdentity.Annotation] = "10.10.0.17" });
        var r = await _h.Core("node-a").HandleAsync(AgentHarness.Add("mysql", "c1", "db", "adhoc", pod.Uid), default);
        Assert.True(r.Ok, r.Msg);
        Assert.Equal("10.10.0.17/24", r.Ips![0].Address);
    }

    [Fact]
    public async Task A_stale_del_with_an_old_container_id_does_not_free_the_new_pods_address()
    {
        var core = _h.Core("node-a");
        var pod = _cluster.AddPod("db", "web-1");
        var old = await core.HandleAsync(AgentHarness.Add("mysql", "c-old", "db", "web-1", pod.Uid), default);
        await core.HandleAsync(AgentHarness.Del("mysql", "c-old"), default);
        var fresh = await core.HandleAsync(AgentHarness.Add("mysql", "c-new", "db", "web-1", pod.Uid), default);

        Assert.True((await core.HandleAsync(AgentHarness.Del("mysql", "c-old"), default)).Ok);

        var check = await core.HandleAsync(new AgentRequest
        {
            Verb = "CHECK", Pool = "mysql", Network = "mysql-net", ContainerId = "c-new", IfName = "eth0",
            Addresses = [fresh.Ips![0].Address!.Split('/')[0]],
        }, default);
        Assert.True(check.Ok, check.Msg);
        Assert.NotNull(old.Ips);
    }

    [Fact]
    public async Task Gc_releases_this_nodes_attachments_the_runtime_no_longer_lists()
    {
        var core = _h.Core("node-a");
        await core.HandleAsync(AgentHarness.Add("mysql", "keep"), default);
        await core.HandleAsync(AgentHarness.Add("mysql", "drop"), default);
        var gcRequest = new AgentRequest
        {
            Verb = "GC", Pool = "mysql", Network = "mysql-net",
            Valid = [new AgentAttachment { ContainerId = "keep", IfName = "eth0" }],
        };

        // Right after its ADD, an attachment may be missing from a list the runtime took before: it is kept.
        Assert.True((await core.HandleAsync(gcRequest, default)).Ok);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_h.DataDir, "mysql"), "10.*").Length);

        _h.Clock.Advance(TimeSpan.FromMinutes(3));
        var gc = await core.HandleAsync(gcRequest, default);
        Assert.True(gc.Ok, gc.Msg);
        Assert.Single(Directory.GetFiles(Path.Combine(_h.DataDir, "mysql"), "10.*"));
    }

    [Fact]
    public async Task A_request_of_another_protocol_version_is_code_1()
    {
        var req = AgentHarness.Add("mysql", "c1");
        req.V = 9;
        var r = await _h.Core("node-a").HandleAsync(req, default);
        Assert.Equal(CniErrorCodes.IncompatibleVersion, r.Code);
    }

    [Fact]
    public async Task An_exhausted_pool_is_code_110_naming_the_pool()
    {
        var core = _h.Core("node-a");
        for (int i = 0; i < 10; i++) Assert.True((await core.HandleAsync(AgentHarness.Add("mysql", $"c{i}"), default)).Ok);
        var r = await core.HandleAsync(AgentHarness.Add("mysql", "c-last"), default);
        Assert.Equal(CniErrorCodes.PoolExhausted, r.Code);
        Assert.Contains("pool mysql is exhausted", r.Msg);
        var status = await core.HandleAsync(new AgentRequest { Verb = "STATUS", Pool = "mysql", Network = "mysql-net" }, default);
        Assert.Equal(CniErrorCodes.PluginNotAvailable, status.Code);
    }
}

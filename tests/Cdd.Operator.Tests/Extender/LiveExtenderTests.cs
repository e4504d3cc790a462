using System.Net;
using System.Net.Http.Json;
using Cdd.Operator.Extender;

namespace Cdd.Operator.Tests.Extender;

/// <summary>
/// `cdd-operator extender` over the live inventory: the nodes, member pods and MySQLClusters the API server holds,
/// posted the bodies kube-scheduler posts.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class LiveExtenderTests : IAsyncLifetime
{
    LiveExtenderFixture _f = null!;

    public async Task InitializeAsync() => _f = await LiveExtenderFixture.StartAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    static IEnumerable<string> Names(System.Text.Json.Nodes.JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>());

    static string Failed(System.Text.Json.Nodes.JsonNode result, string node) => result["FailedNodes"]![node]!.GetValue<string>();

    [Fact]
    public async Task Filter_with_node_names_fails_the_node_running_a_member_of_the_cluster_the_tripped_node_and_the_cordoned_node()
    {
        _f.AddNode("n1");
        _f.AddNode("n2");
        _f.AddNode("hot", pressure: "disk=0.9");
        _f.AddNode("cordoned", unschedulable: true);
        _f.AddCluster("db", "orders");
        _f.AddMember("db", "orders", 0, "n2");
        _f.AddMember("db", "orders", 1, node: null);

        var r = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("db", "orders", 1, "n1", "n2", "hot", "cordoned", "gone"));

        Assert.Equal("", r["Error"]!.GetValue<string>());
        Assert.Equal(["n1"], Names(r["NodeNames"]));
        Assert.Equal("anti-affinity: already runs a member of \"db/orders\"", Failed(r, "n2"));
        Assert.Equal("circuit breaker: disk pressure 0.9 ≥ 0.85", Failed(r, "hot"));
        Assert.Equal("node is unschedulable (cordoned)", Failed(r, "cordoned"));
        Assert.Equal("no such Node in the cdd-operator inventory", Failed(r, "gone"));
    }

    [Fact]
    public async Task Filter_with_node_objects_hands_back_only_the_live_nodes_that_pass()
    {
        _f.AddNode("n1");
        _f.AddNode("n2");
        _f.AddCluster("db", "orders");
        _f.AddMember("db", "orders", 0, "n2");

        var r = await _f.Filter(LiveExtenderFixture.NodeListArgs("db", "orders", 1, "n1", "n2"));

        Assert.Equal("", r["Error"]!.GetValue<string>());
        Assert.Equal(["n1"], r["Nodes"]!["items"]!.AsArray().Select(n => n!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal("77", r["Nodes"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("anti-affinity: already runs a member of \"db/orders\"", Failed(r, "n2"));
    }

    [Fact]
    public async Task The_pending_pod_being_scheduled_does_not_count_as_a_member_anywhere()
    {
        _f.AddNode("n1");
        _f.AddCluster("db", "orders", members: 1);
        _f.AddMember("db", "orders", 0, node: null);

        var r = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("db", "orders", 0, "n1"));

        Assert.Equal(["n1"], Names(r["NodeNames"]));
        Assert.Empty(r["FailedNodes"]!.AsObject());
    }

    [Fact]
    public async Task A_pod_is_judged_against_the_cluster_of_its_own_namespace_not_a_same_named_one_elsewhere()
    {
        _f.AddNode("n1");
        _f.AddNode("n2");
        _f.AddCluster("db", "orders");
        _f.AddCluster("shop", "orders");
        _f.AddMember("db", "orders", 0, "n1");
        _f.AddMember("shop", "orders", 0, "n2");

        var shop = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("shop", "orders", 1, "n1", "n2"));
        Assert.Equal(["n1"], Names(shop["NodeNames"]));
        Assert.Equal("anti-affinity: already runs a member of \"shop/orders\"", Failed(shop, "n2"));

        var db = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("db", "orders", 1, "n1", "n2"));
        Assert.Equal(["n2"], Names(db["NodeNames"]));
        Assert.Equal("anti-affinity: already runs a member of \"db/orders\"", Failed(db, "n1"));
    }

    [Fact]
    public async Task A_cluster_with_an_invalid_spec_is_an_error_naming_the_field()
    {
        _f.AddNode("n1");
        _f.AddCluster("db", "bad", members: 2);

        var r = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("db", "bad", 0, "n1"));

        Assert.Equal("pod db/bad-0: MySQLCluster db/bad is invalid: spec.members: 2 is not 1, 3, 5, 7 or 9", r["Error"]!.GetValue<string>());
        Assert.Null(r["NodeNames"]);
    }

    [Fact]
    public async Task A_pod_of_a_cluster_the_api_server_does_not_hold_is_an_error_naming_namespace_and_cluster()
    {
        _f.AddNode("n1");
        _f.AddCluster("db", "orders");

        var r = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("shop", "orders", 0, "n1"));

        Assert.Equal("pod shop/orders-0: MySQLCluster shop/orders does not exist", r["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Prioritize_scores_the_less_committed_node_higher_and_the_node_failing_a_filter_0()
    {
        _f.AddNode("idle");
        _f.AddNode("busy");
        _f.AddNode("taken");
        _f.AddCluster("db", "orders");
        _f.AddCluster("db", "reports");
        _f.AddMember("db", "reports", 0, "busy", cpu: "12");
        _f.AddMember("db", "orders", 0, "taken");

        var response = await _f.Post("/prioritize", LiveExtenderFixture.NodeNamesArgs("db", "orders", 1, "idle", "busy", "taken"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scores = (await response.Content.ReadFromJsonAsync<List<HostPriority>>())!.ToDictionary(h => h.Host, h => h.Score);
        Assert.Equal(["idle", "busy", "taken"], scores.Keys);
        Assert.Equal(0, scores["taken"]);
        Assert.InRange(scores["busy"], 1, scores["idle"] - 1);
        Assert.InRange(scores["idle"], 1, SchedulerExtender.MaxScore);
    }

    [Fact]
    public async Task A_node_added_to_the_api_server_shows_up_once_the_snapshot_is_older_than_the_ttl()
    {
        _f.AddNode("n1");
        _f.AddCluster("db", "orders");
        string args = LiveExtenderFixture.NodeNamesArgs("db", "orders", 0, "n1", "n9");
        Assert.Equal("no such Node in the cdd-operator inventory", Failed(await _f.Filter(args), "n9"));

        _f.AddNode("n9");
        _f.Clock.Advance(LiveExtenderFixture.Ttl / 2);
        Assert.Equal("no such Node in the cdd-operator inventory", Failed(await _f.Filter(args), "n9"));

        _f.Clock.Advance(LiveExtenderFixture.Ttl / 2);
        var r = await _f.Filter(args);
        Assert.Equal(["n1", "n9"], Names(r["NodeNames"]));
    }

    [Fact]
    public async Task An_api_server_failing_gives_the_filter_an_error_naming_the_failed_list_and_no_node_passes()
    {
        _f.AddNode("n1");
        _f.AddCluster("db", "orders");
        _f.Server.Faults.InternalErrorRate = 1;

        var r = await _f.Filter(LiveExtenderFixture.NodeNamesArgs("db", "orders", 0, "n1"));

        Assert.Equal("cdd-operator inventory unavailable: listing nodes: HTTP 500 InternalServerError: injected internal error", r["Error"]!.GetValue<string>());
        Assert.Null(r["NodeNames"]);
        Assert.Empty(r["FailedNodes"]!.AsObject());
    }

    [Fact]
    public async Task A_failed_refresh_is_an_error_even_with_an_older_snapshot_at_hand_and_the_next_call_reads_again()
    {
        _f.AddNode("n1");
        _f.AddCluster("db", "orders");
        string args = LiveExtenderFixture.NodeNamesArgs("db", "orders", 0, "n1");
        Assert.Equal(["n1"], Names((await _f.Filter(args))["NodeNames"]));

        _f.Server.Faults.UnavailableRate = 1;
        _f.Clock.Advance(LiveExtenderFixture.Ttl);
        Assert.StartsWith("cdd-operator inventory unavailable: listing nodes: HTTP 503", (await _f.Filter(args))["Error"]!.GetValue<string>());
        var prioritize = await _f.Post("/prioritize", args);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, prioritize.StatusCode);
        Assert.StartsWith("cdd-operator inventory unavailable: listing nodes: HTTP 503", await prioritize.Content.ReadAsStringAsync());

        _f.Server.Faults.UnavailableRate = 0;
        var r = await _f.Filter(args);
        Assert.Equal("", r["Error"]!.GetValue<string>());
        Assert.Equal(["n1"], Names(r["NodeNames"]));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Cdd.Operator.Extender;
using Cdd.Operator.Placement;
using static Cdd.Operator.Tests.Placement.Fixtures;

namespace Cdd.Operator.Tests.Extender;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class SchedulerExtenderTests
{
    // What kube-scheduler posts: Go field names of ExtenderArgs capitalised, the Pod and Nodes inside as API objects.
    internal const string PodJson = """
        {"metadata":{"name":"orders-1","namespace":"db","uid":"7f0c","labels":{"app":"mysql","cdd.io/cluster":"orders"}},
         "spec":{"containers":[{"name":"mysql","image":"mysql:8.4","resources":{"requests":{"cpu":"4","memory":"16Gi"}}}]},
         "status":{"phase":"Pending"}}
        """;

    internal const string NodeCacheCapableArgs = $$"""{"Pod":{{PodJson}},"Nodes":null,"NodeNames":["n1","hot","novf","n4","stranger"]}""";

    internal const string FullNodesArgs = """{"Pod":""" + PodJson + """
        ,
         "Nodes":{"metadata":{"resourceVersion":"912"},"items":[
           {"metadata":{"name":"n1","labels":{"topology.kubernetes.io/zone":"a"}},"spec":{"podCIDR":"10.244.1.0/24"},"status":{"allocatable":{"cpu":"16"}}},
           {"metadata":{"name":"hot"},"spec":{},"status":{}},
           {"metadata":{"name":"n4"},"spec":{},"status":{}}]},
         "NodeNames":null}
        """;

    internal static FilePlacement Placement() => new(
        new Planner(
            [Node("n1"), Node("hot", pressure: new Pressure(0, 0, 0, 0.9)), Node("novf", vfs: 0), Node("n4", mysqlCpu: 12_000)],
            [new ExistingMember("orders", "n4", MemberRole.Primary, NetworkMode.Sriov, "local-lvm")]),
        [Cluster("orders")]);

    internal static SchedulerExtender Extender() => new(Placement());

    private static ExtenderArgs Args(string json) => JsonSerializer.Deserialize<ExtenderArgs>(json)!;

    [Fact]
    public void Filter_with_node_names_keeps_the_fitting_nodes_and_gives_each_failed_node_its_reasons()
    {
        var r = Extender().Filter(Args(NodeCacheCapableArgs));
        Assert.Equal("", r.Error);
        Assert.Equal(["n1"], r.NodeNames);
        Assert.Null(r.Nodes);
        Assert.Equal("circuit breaker: disk pressure 0.9 ≥ 0.85", r.FailedNodes["hot"]);
        Assert.Equal("network: no free SR-IOV VF", r.FailedNodes["novf"]);
        Assert.Equal("anti-affinity: already runs a member of \"orders\"", r.FailedNodes["n4"]);
        Assert.Equal("not in the cdd-operator inventory", r.FailedNodes["stranger"]);
    }

    [Fact]
    public void Filter_with_full_nodes_hands_back_the_passing_node_objects_unchanged()
    {
        var r = Extender().Filter(Args(FullNodesArgs));
        var items = r.Nodes!["items"]!.AsArray();
        Assert.Single(items);
        var expected = JsonNode.Parse(FullNodesArgs)!["Nodes"]!["items"]![0];
        Assert.True(JsonNode.DeepEquals(expected, items[0]), items[0]!.ToJsonString());
        Assert.Equal("912", r.Nodes["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Null(r.NodeNames);
        Assert.Equal(["hot", "n4"], r.FailedNodes.Keys.Order());
    }

    [Fact]
    public void The_filter_answer_uses_the_capitalised_go_field_names()
    {
        var json = JsonNode.Parse(JsonSerializer.Serialize(Extender().Filter(Args(NodeCacheCapableArgs))))!.AsObject();
        Assert.Equal(["Error", "FailedAndUnresolvableNodes", "FailedNodes", "NodeNames", "Nodes"], json.Select(kv => kv.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_pod_without_the_cluster_label_is_answered_with_an_error_naming_the_label()
    {
        var args = Args(NodeCacheCapableArgs.Replace("\"cdd.io/cluster\":\"orders\"", "\"tier\":\"db\""));
        var r = Extender().Filter(args);
        Assert.Equal("pod db/orders-1 has no cdd.io/cluster label", r.Error);
        Assert.Null(r.NodeNames);
    }

    [Fact]
    public void A_pod_of_an_unknown_cluster_is_answered_with_an_error_naming_the_cluster()
    {
        var r = Extender().Filter(Args(NodeCacheCapableArgs.Replace("\"cdd.io/cluster\":\"orders\"", "\"cdd.io/cluster\":\"ghost\"")));
        Assert.Equal("pod db/orders-1: cluster \"ghost\" is unknown to cdd-operator", r.Error);
    }

    [Fact]
    public void Prioritize_scores_failed_nodes_0_and_prefers_the_less_committed_node_within_0_to_10()
    {
        var extender = new SchedulerExtender(new FilePlacement(
            new Planner([Node("idle"), Node("busy", mysqlCpu: 16_000), Node("hot", pressure: new Pressure(1, 1, 1, 1))], []), [Cluster("orders")]));
        var scores = extender.Prioritize(Args($$"""{"Pod":{{PodJson}},"NodeNames":["idle","busy","hot"]}""")).ToDictionary(h => h.Host, h => h.Score);
        Assert.Equal(0, scores["hot"]);
        Assert.InRange(scores["busy"], 1, scores["idle"] - 1);
        Assert.InRange(scores["idle"], 0, SchedulerExtender.MaxScore);
        Assert.Equal(9, scores["idle"]); // cost 4000/24000 = 0.167 → 10 × (1 − 0.083) = 9.2 → 9
    }

    [Fact]
    public void The_prioritize_answer_is_a_host_priority_list_with_capitalised_fields()
    {
        var json = JsonSerializer.Serialize(Extender().Prioritize(Args(NodeCacheCapableArgs)));
        Assert.StartsWith("[{\"Host\":\"n1\",\"Score\":", json);
        Assert.Contains("{\"Host\":\"hot\",\"Score\":0}", json);
    }
}

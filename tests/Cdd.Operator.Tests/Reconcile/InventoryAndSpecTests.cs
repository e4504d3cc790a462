using System.Text.Json.Nodes;
using Cdd.Operator.Placement;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Placement.Live;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile;
using k8s.Models;
using Xunit;

namespace Cdd.Operator.Tests.Reconcile;

public sealed class InventoryAndSpecTests
{
    static V1Node Node(Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null, bool unschedulable = false, bool allocatable = true) => new()
    {
        Metadata = new V1ObjectMeta { Name = "n1", Labels = labels, Annotations = annotations },
        Spec = new V1NodeSpec { Unschedulable = unschedulable },
        Status = allocatable ? new V1NodeStatus { Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("7500m"), ["memory"] = new("32Gi") } } : new V1NodeStatus(),
    };

    [Fact]
    public void A_node_reads_zone_allocatable_network_storage_and_pressure_from_its_labels_and_annotations()
    {
        var n = NodeInventoryReader.Read(Node(
            new() { [NodeInventoryReader.ZoneLabel] = "az2", [NodeInventoryReader.MacvlanLabel] = "true", [NodeInventoryReader.OverlayLabel] = "false" },
            new()
            {
                [NodeInventoryReader.SriovAnnotation] = "6",
                [NodeInventoryReader.StorageAnnotation] = "local-lvm=500Gi, san=2Ti, broken=lots",
                [NodeInventoryReader.PressureAnnotation] = "cpu=0.5,disk=0.25,junk",
            }), 2000, 1L << 30)!;

        Assert.Equal("az2", n.Zone);
        Assert.Equal(7500, n.AllocatableCpuMillis);
        Assert.Equal(32L << 30, n.AllocatableMemoryBytes);
        Assert.Equal((2000, 1L << 30), (n.MysqlCpuMillis, n.MysqlMemoryBytes));
        Assert.Equal(new NodeNetwork(6, true, false), n.Network);
        Assert.Equal([new StorageCapacity("local-lvm", 500L << 30), new StorageCapacity("san", 2L << 40)], n.Storage);
        Assert.Equal(new Pressure(0.5, 0, 0, 0.25), n.Pressure);
    }

    [Fact]
    public void A_bare_node_is_on_the_overlay_with_nothing_else_and_unusable_nodes_are_skipped()
    {
        var n = NodeInventoryReader.Read(Node(), 0, 0)!;
        Assert.Equal("", n.Zone);
        Assert.Equal(new NodeNetwork(0, false, true), n.Network);
        Assert.Empty(n.Storage);
        Assert.Equal(Pressure.None, n.Pressure);
        Assert.Null(NodeInventoryReader.Read(Node(unschedulable: true), 0, 0));
        Assert.Null(NodeInventoryReader.Read(Node(allocatable: false), 0, 0));
    }

    static JsonObject Cluster(Action<JsonObject>? edit = null)
    {
        var o = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "orders", ["namespace"] = "db", ["uid"] = "u-1" },
            ["spec"] = new JsonObject
            {
                ["members"] = 3,
                ["mysql"] = new JsonObject { ["image"] = "mysql:8.4" },
                ["network"] = new JsonObject { ["mode"] = "sriov", ["pool"] = "p" },
                ["storage"] = new JsonObject { ["class"] = "san", ["size"] = 1073741824 },
                ["resources"] = new JsonObject { ["cpu"] = "500m", ["memory"] = "2Gi" },
                ["zones"] = new JsonArray("az1", "az2"),
                ["overCommit"] = new JsonObject { ["cpuCeiling"] = 1.2, ["breakers"] = new JsonObject { ["cpu"] = 0.7 } },
            },
        };
        edit?.Invoke((JsonObject)o["spec"]!);
        return o;
    }

    [Fact]
    public void A_spec_becomes_the_placement_request_with_defaults_for_what_is_omitted()
    {
        var s = ClusterSpec.Parse(Cluster());
        Assert.Equal("db/orders", s.Key);
        var r = s.Request;
        Assert.Equal(("db/orders", 3, NetworkMode.Sriov, "san"), (r.Name, r.Members, r.Mode, r.StorageClass));
        Assert.Equal((1L << 30, 500L, 2L << 30), (r.StorageBytes, r.CpuMillis, r.MemoryBytes));
        Assert.Equal(["az1", "az2"], r.Zones);
        Assert.Equal(1.2, r.OverCommitCeiling);
        Assert.Equal(BreakerThresholds.Default with { Cpu = 0.7 }, r.Breakers);
        Assert.Equal("1073741824", s.StorageSize);
    }

    [Theory]
    [InlineData("members", "4", "spec.members: 4")]
    [InlineData("members", "3.5", "spec.members: 3.5")]
    [InlineData("members", "\"3\"", "spec.members: \"3\" is not a number")]
    [InlineData("network", "{\"mode\":\"ipvlan\",\"pool\":\"p\"}", "spec.network.mode: \"ipvlan\"")]
    [InlineData("storage", "{\"class\":\"san\",\"size\":\"10GB\"}", "spec.storage.size: \"10GB\"")]
    [InlineData("resources", "{\"cpu\":\"2\"}", "spec.resources.memory is missing")]
    public void A_spec_the_reconciler_cannot_use_is_refused_naming_the_field(string field, string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => ClusterSpec.Parse(Cluster(s => s[field] = JsonNode.Parse(json))));
        Assert.StartsWith(message, e.Message);
    }

    [Theory]
    [InlineData("orders", "orders-0", 0)]
    [InlineData("orders", "orders-12", 12)]
    [InlineData("orders", "orders-primary", null)]
    [InlineData("orders", "orders-01", null)]
    [InlineData("orders", "orders-x-1", null)]
    [InlineData("orders", "ordersx-1", null)]
    public void Only_member_names_have_an_ordinal(string cluster, string pod, int? ordinal) =>
        Assert.Equal(ordinal, MemberNames.Ordinal(cluster, pod));
}

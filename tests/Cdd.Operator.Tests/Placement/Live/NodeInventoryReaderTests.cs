using Cdd.Operator.Placement;
using Cdd.Operator.Placement.Live;
using k8s.Models;

namespace Cdd.Operator.Tests.Placement.Live;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class NodeInventoryReaderTests
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
}

namespace Cdd.Operator.Plan;

// The YAML shapes of nodes.yaml and clusters.yaml, every field nullable so PlanInput can name what is missing.
// Unknown keys are refused by the deserializer (a typo must not silently fall back to a default).

internal sealed class InventoryDocument
{
    public List<NodeDocument>? Nodes { get; set; }
    public List<MemberDocument>? Members { get; set; }
}

internal sealed class NodeDocument
{
    public string? Name { get; set; }
    public string? Zone { get; set; }
    public ResourcesDocument? Allocatable { get; set; }
    public ResourcesDocument? MysqlRequests { get; set; }
    public NetworkDocument? Network { get; set; }
    public List<StorageDocument>? Storage { get; set; }
    public PressureDocument? Pressure { get; set; }
}

internal sealed class ResourcesDocument
{
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
}

internal sealed class NetworkDocument
{
    public int? SriovFreeVfs { get; set; }
    public bool? MacvlanMaster { get; set; }
    public bool? Overlay { get; set; }
}

internal sealed class StorageDocument
{
    public string? Class { get; set; }
    public string? Free { get; set; }
}

internal sealed class VolumeDocument
{
    public string? Class { get; set; }
    public string? Size { get; set; }
}

internal sealed class PressureDocument
{
    public double? Cpu { get; set; }
    public double? Memory { get; set; }
    public double? Network { get; set; }
    public double? Disk { get; set; }
}

internal sealed class MemberDocument
{
    public string? Cluster { get; set; }
    public string? Node { get; set; }
    public string? Role { get; set; }
    public string? NetworkMode { get; set; }
    public string? StorageClass { get; set; }
}

internal sealed class ClustersDocument
{
    public List<ClusterDocument>? Clusters { get; set; }
}

internal sealed class ClusterDocument
{
    public string? Name { get; set; }
    public int? Members { get; set; }
    public string? NetworkMode { get; set; }
    public VolumeDocument? Storage { get; set; }
    public ResourcesDocument? Resources { get; set; }
    public List<string>? Zones { get; set; }
    public double? OverCommit { get; set; }
    public PressureDocument? Breakers { get; set; }
}

namespace Cdd.Operator.Placement;

/// <summary>What a node can carry for networking: free SR-IOV VFs, whether a MacVLAN master is present, whether it is on the overlay.</summary>
internal sealed record NodeNetwork(int FreeSriovVfs, bool MacvlanMaster, bool Overlay);

/// <summary>A storage class the node reaches, with the capacity still free for it on (or from) this node.</summary>
internal sealed record StorageCapacity(string StorageClass, long FreeBytes);

/// <summary>Measured pressure as fractions of capacity (0 = idle, 1 = saturated), from node metrics or Prometheus.</summary>
internal sealed record Pressure(double Cpu, double Memory, double Network, double Disk)
{
    public static readonly Pressure None = new(0, 0, 0, 0);
}

/// <summary>
/// One node as the placement engine sees it. <see cref="MysqlCpuMillis"/> and <see cref="MysqlMemoryBytes"/> are the
/// requests of the MySQL pods already on the node, existing members included (they are not added again).
/// </summary>
internal sealed record NodeInventory(
    string Name,
    string Zone,
    long AllocatableCpuMillis,
    long AllocatableMemoryBytes,
    long MysqlCpuMillis,
    long MysqlMemoryBytes,
    NodeNetwork Network,
    IReadOnlyList<StorageCapacity> Storage,
    Pressure Pressure);

using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Placement;

internal static class Fixtures
{
    public const long Gi = 1L << 30;

    public static NodeInventory Node(string name, string zone = "a", long cpu = 16_000, long mysqlCpu = 0, int vfs = 8,
        bool macvlan = true, bool overlay = true, Pressure? pressure = null, params StorageCapacity[] storage) =>
        new(name, zone, cpu, 256 * Gi, mysqlCpu, 0, new NodeNetwork(vfs, macvlan, overlay),
            storage.Length > 0 ? storage : [new StorageCapacity("local-lvm", 4096 * Gi)], pressure ?? Pressure.None);

    public static ClusterRequest Cluster(string name, int members = 3, NetworkMode mode = NetworkMode.Sriov,
        string storageClass = "local-lvm", long cpu = 4000, long storage = 100 * Gi, string[]? zones = null,
        double ceiling = ClusterRequest.DefaultOverCommitCeiling, BreakerThresholds? breakers = null) =>
        new(name, members, mode, storageClass, storage, cpu, 16 * Gi, zones ?? [], ceiling, breakers ?? BreakerThresholds.Default);
}

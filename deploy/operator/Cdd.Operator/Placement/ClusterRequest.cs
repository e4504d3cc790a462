namespace Cdd.Operator.Placement;

/// <summary>
/// A MySQLCluster as placement needs it. <see cref="Zones"/> empty means any zone. <see cref="OverCommitCeiling"/> bounds
/// the MySQL CPU requests on a node, the new member included, to ceiling × allocatable.
/// </summary>
internal sealed record ClusterRequest(
    string Name,
    int Members,
    NetworkMode Mode,
    string StorageClass,
    long StorageBytes,
    long CpuMillis,
    long MemoryBytes,
    IReadOnlyList<string> Zones,
    double OverCommitCeiling,
    BreakerThresholds Breakers)
{
    public const double DefaultOverCommitCeiling = 1.5;
    public static readonly IReadOnlySet<int> AllowedMembers = new HashSet<int> { 1, 3, 5, 7, 9 };
}

namespace Cdd.Operator.Placement;

/// <summary>
/// A member already running. Mode and storage class are optional: when known they count towards the per-host balance
/// of network modes and storage classes. Its CPU and memory are already in the node's MySQL requests.
/// </summary>
internal sealed record ExistingMember(string Cluster, string Node, MemberRole Role, NetworkMode? Mode = null, string? StorageClass = null);

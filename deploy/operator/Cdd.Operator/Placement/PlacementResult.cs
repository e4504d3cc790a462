namespace Cdd.Operator.Placement;

/// <summary>A member's node; <see cref="IsNew"/> is false for a member that was already running.</summary>
public sealed record PlacedMember(string Node, bool IsPrimary, bool IsNew);

/// <summary>
/// The outcome of placing one cluster. <see cref="Rejections"/> names, per node that cannot take a new member, every
/// filter it failed; it is filled whether or not the cluster was placed. <see cref="Failure"/> is null when placed.
/// </summary>
public sealed record PlacementResult(
    string Cluster,
    IReadOnlyList<PlacedMember> Members,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Rejections,
    string? Failure)
{
    public bool Placed => Failure is null;
}

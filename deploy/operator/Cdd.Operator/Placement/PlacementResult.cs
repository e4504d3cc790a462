namespace Cdd.Operator.Placement;

/// <summary>A member's node; <see cref="IsNew"/> is false for a member that was already running.</summary>
internal sealed record PlacedMember(string Node, bool IsPrimary, bool IsNew);

/// <summary>
/// The outcome of placing one cluster. <see cref="Eligible"/>: the nodes that passed every filter before this placement
/// booked anything. <see cref="Rejections"/>, filled only when the cluster could not be placed: per node that fails,
/// every filter it failed (Planner.Filter gives the same for any node at any time). <see cref="Failure"/> is null when placed.
/// </summary>
internal sealed record PlacementResult(
    string Cluster,
    IReadOnlyList<PlacedMember> Members,
    IReadOnlyList<string> Eligible,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Rejections,
    string? Failure)
{
    public bool Placed => Failure is null;
}

namespace Cdd.Operator.Placement;

internal enum PrimaryMoveKind
{
    /// <summary>The primary's host trips no breaker.</summary>
    Stay,
    /// <summary>Promote <see cref="PrimaryMove.To"/> with group_replication_set_as_primary().</summary>
    Move,
    /// <summary>The primary's host trips a breaker but no secondary sits on a healthy host.</summary>
    NoHealthySecondary,
    /// <summary>The cluster has no member reported as PRIMARY.</summary>
    NoPrimary,
}

/// <summary>What to do with a cluster's primary role; <see cref="To"/> is the node of the secondary to promote.</summary>
internal sealed record PrimaryMove(PrimaryMoveKind Kind, string? From, string? To, string Reason);

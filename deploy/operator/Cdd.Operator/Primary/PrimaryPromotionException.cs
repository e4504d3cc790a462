namespace Cdd.Operator.Primary;

internal enum PromotionFailure
{
    /// <summary>No member answered with a usable view of the group; nothing was changed.</summary>
    NoMemberAnswered,
    /// <summary>No member of the group reports the target's MEMBER_HOST; nothing was changed.</summary>
    UnknownHost,
    /// <summary>More than one member matches the target's MEMBER_HOST; nothing was changed.</summary>
    AmbiguousHost,
    /// <summary>The target is not ONLINE (RECOVERING, ERROR, OFFLINE); nothing was changed.</summary>
    NotOnline,
    /// <summary><c>group_replication_set_as_primary()</c> returned an error.</summary>
    ServerRefused,
    /// <summary>The call did not finish in time or its connection broke: the role may or may not have moved.</summary>
    OutcomeUnknown,
}

/// <summary>
/// A promotion that did not happen (or whose outcome is unknown). The message names the cluster and the target and
/// gives host:port of the members asked, never a connection string or a password.
/// </summary>
internal sealed class PrimaryPromotionException(string cluster, string target, PromotionFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>namespace/name.</summary>
    public string Cluster { get; } = cluster;
    /// <summary>The target as "pod (MEMBER_HOST)".</summary>
    public string Target { get; } = target;
    public PromotionFailure Failure { get; } = failure;
}

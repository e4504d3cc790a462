namespace Cdd.Operator.Primary;

/// <summary>
/// One row of <c>replication_group_members</c>: MEMBER_HOST (the member's report_host), MEMBER_STATE, MEMBER_ROLE and
/// MEMBER_ID (the server_uuid that <c>group_replication_set_as_primary()</c> takes).
/// </summary>
internal sealed record GroupMemberRow(string Host, string State, string Role, string Id = "")
{
    /// <summary>MEMBER_VERSION (empty when not read).</summary>
    public string Version { get; init; } = "";
    /// <summary>COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE from replication_group_member_stats: the member's replication lag in transactions.</summary>
    public long? ApplierQueue { get; init; }
    /// <summary>
    /// For a member in ERROR that reported its own row: the last Group Replication error from its error log
    /// (<c>performance_schema.error_log</c>, <c>MY-nnnnnn: text</c>), or null when it has none or it could not be read.
    /// </summary>
    public string? LastError { get; init; }
}

/// <summary>A member's health beyond its state and role, as the status shows it.</summary>
internal sealed record MemberHealth(string Version, long? ApplierQueue, string? LastError = null);

/// <summary>A member of a cluster as the operator knows it: its pod name and its fixed IP (either may be its report_host).</summary>
internal sealed record MemberIdentity(string PodName, string? FixedIp);

/// <summary>What a watcher saw for one cluster.</summary>
internal enum PrimaryStatus
{
    /// <summary>The group reports an ONLINE primary and it maps to a known member.</summary>
    Known,
    /// <summary>The group answered but has no ONLINE primary (election in progress, all members in ERROR/OFFLINE...).</summary>
    NoPrimary,
    /// <summary>The group answered with an ONLINE primary whose MEMBER_HOST matches no known member.</summary>
    Unmapped,
    /// <summary>The server could not be asked (unreachable, query failed): the role is unknown.</summary>
    Unknown,
}

/// <summary>The observation a watcher reports: <see cref="Member"/> is the primary's pod name when <see cref="Status"/> is Known.</summary>
internal sealed record PrimaryObservation(PrimaryStatus Status, string? Member, string? Reason)
{
    /// <summary>
    /// MEMBER_STATE of each member the group lists, as <c>pod=STATE</c> pairs joined by commas in pod-name order (empty
    /// when the group could not be asked). Part of equality, so a member turning RECOVERING or ERROR is reported too.
    /// </summary>
    public string States { get; init; } = "";

    /// <summary><see cref="States"/> as a map from pod name to MEMBER_STATE.</summary>
    public IReadOnlyDictionary<string, string> StateByMember() =>
        States.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);

    public static PrimaryObservation Of(string member) => new(PrimaryStatus.Known, member, null);
    public static PrimaryObservation None(string reason) => new(PrimaryStatus.NoPrimary, null, reason);
    public static PrimaryObservation UnmappedHost(string host) => new(PrimaryStatus.Unmapped, null, $"primary MEMBER_HOST {host} matches no member's pod name or fixed IP");
    public static PrimaryObservation Unreachable(string reason) => new(PrimaryStatus.Unknown, null, reason);
}

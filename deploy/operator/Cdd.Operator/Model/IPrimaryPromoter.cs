namespace Cdd.Operator.Model;

/// <summary>
/// Moves a cluster's PRIMARY role to one of its secondaries with <c>group_replication_set_as_primary()</c> (no data
/// moves). <paramref name="memberHost"/> is the target's report_host, i.e. its MEMBER_HOST in
/// performance_schema.replication_group_members, from which the implementation finds the MEMBER_ID to pass.
/// The primary watcher then sees the new role and relabels the pods.
/// </summary>
internal interface IPrimaryPromoter
{
    /// <summary>
    /// Why this promoter cannot move a role at all (not configured), or null when it can. Steps ask before choosing a
    /// target, so the reason shows in their condition instead of a promotion that cannot happen.
    /// </summary>
    string? Unavailable { get; }

    Task PromoteAsync(ClusterSpec cluster, string memberPod, string memberHost, CancellationToken ct);
}

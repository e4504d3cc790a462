using System.Net;
using Cdd.Operator.Model;

namespace Cdd.Operator.Members;

/// <summary>
/// Applies MGR settings that change without a restart to one running member. The reconciler keeps two converged this
/// way: <c>group_replication_group_seeds</c> (after a scale-up the older members learn the new seeds) and
/// <c>group_replication_member_weight</c> (spec.mysql.memberWeights edited). Pods are immutable, so a pod's args keep
/// what it was created with; the annotation <see cref="MemberNames.SettingsAnnotation"/> records what was applied since.
/// </summary>
internal interface IMemberSettings
{
    /// <summary>Why settings cannot be applied at all (not configured), or null when they can; the settings step reports it.</summary>
    string? Unavailable { get; }

    Task ApplyAsync(ClusterSpec spec, string member, IPAddress address, IReadOnlyList<(string Name, string Value)> settings, CancellationToken ct);
}

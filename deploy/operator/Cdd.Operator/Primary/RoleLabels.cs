namespace Cdd.Operator.Primary;

/// <summary>A label change on one pod: set <c>cdd.io/role</c> to <see cref="Value"/>, or remove it when null.</summary>
internal sealed record RoleLabelChange(string Pod, string? Value);

/// <summary>Pure: the pod label changes that make exactly the primary carry <c>cdd.io/role=primary</c>.</summary>
internal static class RoleLabels
{
    public const string RoleLabel = "cdd.io/role";
    public const string ClusterLabel = "cdd.io/cluster";
    public const string PrimaryValue = "primary";

    /// <summary>
    /// <paramref name="pods"/>: each pod's name and its current <c>cdd.io/role</c> value (null when absent).
    /// Known: label the primary, remove the label from every other pod that carries it. NoPrimary: remove it everywhere
    /// (the group has no writable member; the Service gets no endpoint). Unknown and Unmapped: no change (a server that
    /// cannot be asked right now does not make the last known primary wrong, and a flapping connection must not empty
    /// the Service). Pods already right are left alone, so a repeated call returns nothing.
    /// </summary>
    public static IReadOnlyList<RoleLabelChange> Decide(PrimaryObservation observation, IEnumerable<(string Pod, string? Role)> pods)
    {
        if (observation.Status is PrimaryStatus.Unknown or PrimaryStatus.Unmapped) return [];
        var changes = new List<RoleLabelChange>();
        foreach (var (pod, role) in pods.OrderBy(p => p.Pod, StringComparer.Ordinal))
        {
            bool isPrimary = observation.Status == PrimaryStatus.Known && pod == observation.Member;
            if (isPrimary && role != PrimaryValue) changes.Add(new RoleLabelChange(pod, PrimaryValue));
            else if (!isPrimary && role == PrimaryValue) changes.Add(new RoleLabelChange(pod, null));
        }
        // Remove the old primary's label before setting the new one, so two pods never carry it at once.
        return changes.OrderBy(c => c.Value is null ? 0 : 1).ToList();
    }
}

namespace Cdd.Ipam.Model;

/// <summary>
/// A stable identity bound to one address for life: a StatefulSet member (namespace, set, ordinal) or a pod carrying the
/// <c>cdd.io/fixed-ip</c> annotation (namespace, annotation value). Whatever pod holds the identity gets the address.
/// </summary>
public sealed record FixedIdentity
{
    public const string Annotation = "cdd.io/fixed-ip";

    public required string Namespace { get; init; }
    public string? StatefulSet { get; init; }
    public int? Ordinal { get; init; }
    /// <summary>The value of the cdd.io/fixed-ip annotation, for a binding not tied to a StatefulSet.</summary>
    public string? Key { get; init; }

    public static FixedIdentity Member(string ns, string statefulSet, int ordinal) =>
        new() { Namespace = ns, StatefulSet = statefulSet, Ordinal = ordinal };

    public static FixedIdentity Annotated(string ns, string key) => new() { Namespace = ns, Key = key };

    /// <summary>
    /// The member identity when <paramref name="podName"/> is "SET-ORDINAL" for one of <paramref name="statefulSets"/>
    /// (StatefulSet pods are named exactly so); null otherwise.
    /// </summary>
    public static FixedIdentity? FromPodName(string ns, string podName, IEnumerable<string> statefulSets)
    {
        foreach (var set in statefulSets)
        {
            if (podName.Length <= set.Length + 1 || !podName.StartsWith(set, StringComparison.Ordinal) || podName[set.Length] != '-')
                continue;
            var digits = podName.AsSpan(set.Length + 1);
            // "mysql-01" is not a member name: ordinals are printed without leading zeros.
            if ((digits.Length > 1 && digits[0] == '0') || !int.TryParse(digits, System.Globalization.NumberStyles.None, null, out int ordinal))
                continue;
            return Member(ns, set, ordinal);
        }
        return null;
    }

    public override string ToString() =>
        StatefulSet is not null ? $"{Namespace}/{StatefulSet}-{Ordinal}" : $"{Namespace}/{Annotation}={Key}";
}

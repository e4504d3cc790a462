using System.Text.Json.Serialization;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Store;

/// <summary>
/// A reservation's owner as both stores write it (the file store's JSON, the IPReservation's spec.owner): the same
/// field names, so the two wire shapes cannot drift.
/// </summary>
public sealed class OwnerJson
{
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifname")] public string? IfName { get; set; }
    [JsonPropertyName("podNamespace")] public string? PodNamespace { get; set; }
    [JsonPropertyName("podName")] public string? PodName { get; set; }
    [JsonPropertyName("podUID")] public string? PodUid { get; set; }
    [JsonPropertyName("network")] public string? Network { get; set; }

    public static OwnerJson? From(Owner? o) => o is null ? null : new OwnerJson
    {
        ContainerId = o.ContainerId, IfName = o.IfName, PodNamespace = Blank(o.PodNamespace), PodName = Blank(o.PodName),
        PodUid = Blank(o.PodUid), Network = Blank(o.Network),
    };

    /// <summary>The owner; FormatException naming <paramref name="path"/>'s field when the attachment is not identified.</summary>
    public Owner ToOwner(string path)
    {
        if (string.IsNullOrEmpty(ContainerId)) throw new FormatException($"{path}.containerID is required");
        if (string.IsNullOrEmpty(IfName)) throw new FormatException($"{path}.ifname is required");
        return new Owner(ContainerId, IfName) { PodNamespace = PodNamespace ?? "", PodName = PodName ?? "", PodUid = PodUid ?? "", Network = Network ?? "" };
    }

    static string? Blank(string s) => s.Length == 0 ? null : s;
}

/// <summary>A reservation's fixed identity as both stores write it (file JSON, IPReservation spec.fixed).</summary>
public sealed class FixedJson
{
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("statefulSet")] public string? StatefulSet { get; set; }
    [JsonPropertyName("ordinal")] public int? Ordinal { get; set; }
    [JsonPropertyName("key")] public string? Key { get; set; }

    public static FixedJson? From(FixedIdentity? f) =>
        f is null ? null : new FixedJson { Namespace = f.Namespace, StatefulSet = f.StatefulSet, Ordinal = f.Ordinal, Key = f.Key };

    /// <summary>
    /// The identity: a StatefulSet member (statefulSet + ordinal ≥ 0) or an annotation key, never both; FormatException
    /// naming <paramref name="path"/>'s field otherwise.
    /// </summary>
    public FixedIdentity ToIdentity(string path)
    {
        if (string.IsNullOrEmpty(Namespace)) throw new FormatException($"{path}.namespace is required");
        if (StatefulSet is not null)
        {
            if (Ordinal is not >= 0) throw new FormatException($"{path}.ordinal must be 0 or more for a StatefulSet member");
            if (Key is not null) throw new FormatException($"{path} has both statefulSet and key");
        }
        else if (string.IsNullOrEmpty(Key)) throw new FormatException($"{path} needs statefulSet and ordinal, or key");
        else if (Ordinal is not null) throw new FormatException($"{path}.ordinal only goes with statefulSet");
        return new FixedIdentity { Namespace = Namespace, StatefulSet = StatefulSet, Ordinal = Ordinal, Key = Key };
    }
}

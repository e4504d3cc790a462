using System.Text.Json.Serialization;

namespace Cdd.Ipam.Store.Files;

/// <summary>One reservation file. <see cref="Generation"/> is the version: 1 on claim, +1 on every replace.</summary>
public sealed class ReservationJson
{
    [JsonPropertyName("pool")] public string? Pool { get; set; }
    [JsonPropertyName("segment")] public string? Segment { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("vlan")] public int Vlan { get; set; }
    [JsonPropertyName("node")] public string? Node { get; set; }
    [JsonPropertyName("generation")] public long Generation { get; set; }
    [JsonPropertyName("owner")] public OwnerJson? Owner { get; set; }
    [JsonPropertyName("fixed")] public FixedJson? Fixed { get; set; }
}

public sealed class OwnerJson
{
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifname")] public string? IfName { get; set; }
    [JsonPropertyName("podNamespace")] public string? PodNamespace { get; set; }
    [JsonPropertyName("podName")] public string? PodName { get; set; }
    [JsonPropertyName("podUID")] public string? PodUid { get; set; }
    [JsonPropertyName("network")] public string? Network { get; set; }
}

public sealed class FixedJson
{
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("statefulSet")] public string? StatefulSet { get; set; }
    [JsonPropertyName("ordinal")] public int? Ordinal { get; set; }
    [JsonPropertyName("key")] public string? Key { get; set; }
}

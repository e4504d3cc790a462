using System.Text.Json.Serialization;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Files;

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

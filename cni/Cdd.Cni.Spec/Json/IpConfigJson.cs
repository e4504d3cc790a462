using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

public sealed class IpConfigJson
{
    /// <summary>"4" or "6"; required before 1.0.0, gone from 1.0.0 on.</summary>
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    [JsonPropertyName("interface")] public int? Interface { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>Same shape in the config's "dns" and in every result version, so it is its own wire type.</summary>
public sealed class CniDns
{
    [JsonPropertyName("nameservers")] public List<string>? Nameservers { get; set; }
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("search")] public List<string>? Search { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
}

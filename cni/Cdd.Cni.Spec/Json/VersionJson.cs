using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>The answer to VERSION, ours and a delegate's.</summary>
public sealed class VersionJson
{
    [JsonPropertyName("cniVersion")] public string? CniVersion { get; set; }
    [JsonPropertyName("supportedVersions")] public List<string>? SupportedVersions { get; set; }
}

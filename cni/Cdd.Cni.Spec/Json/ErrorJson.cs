using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>The spec's error object; also what a delegated plugin prints when it fails.</summary>
public sealed class ErrorJson
{
    [JsonPropertyName("cniVersion")] public string? CniVersion { get; set; }
    [JsonPropertyName("code")] public int Code { get; set; }
    [JsonPropertyName("msg")] public string? Msg { get; set; }
    [JsonPropertyName("details")] public string? Details { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

public sealed class RuntimeConfig
{
    [JsonPropertyName("mac")] public string? Mac { get; set; }

    /// <summary>runtimeConfig.mac as <see cref="NetConfParser"/> parsed it, the one parse every mode uses.</summary>
    [JsonIgnore] public Cdd.Net.MacAddress? ParsedMac { get; set; }
    [JsonPropertyName("ips")] public List<string>? Ips { get; set; }
    [JsonPropertyName("deviceID")] public string? DeviceId { get; set; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>
/// The network configuration on stdin: the CNI spec's common fields and the two every mode shares (mode, mtu).
/// Each mode reads and validates its own fields from the same bytes (<see cref="NetConfParser.ParseModeFields"/>).
/// </summary>
public sealed class NetConf
{
    [JsonPropertyName("cniVersion")] public string? CniVersion { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("ipam")] public JsonElement? Ipam { get; set; }
    [JsonPropertyName("dns")] public CniDns? Dns { get; set; }
    [JsonPropertyName("prevResult")] public JsonElement? PrevResult { get; set; }
    [JsonPropertyName("runtimeConfig")] public RuntimeConfig? RuntimeConfig { get; set; }
    /// <summary>GC only: the attachments the runtime still knows about.</summary>
    [JsonPropertyName("cni.dev/valid-attachments")] public List<ValidAttachment>? ValidAttachments { get; set; }

    /// <summary>Which mode plugs the interface: "macvlan", "overlay" or "sriov".</summary>
    [JsonPropertyName("mode")] public string? Mode { get; set; }
    [JsonPropertyName("mtu")] public int? Mtu { get; set; }

    /// <summary>The "type" inside "ipam", or null when there is no ipam section.</summary>
    [JsonIgnore]
    public string? IpamType =>
        Ipam is { ValueKind: JsonValueKind.Object } ipam && ipam.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;
}

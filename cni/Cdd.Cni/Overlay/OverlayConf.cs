using System.Text.Json.Serialization;

namespace Cdd.Cni.Overlay;

/// <summary>The overlay mode's fields of the network config, as on the wire.</summary>
internal sealed class OverlayConf
{
    [JsonPropertyName("bridge")] public string? Bridge { get; set; }
    [JsonPropertyName("vni")] public int? Vni { get; set; }
    [JsonPropertyName("vxlanPort")] public int? VxlanPort { get; set; }
    [JsonPropertyName("underlay")] public string? Underlay { get; set; }
    [JsonPropertyName("localAddress")] public string? LocalAddress { get; set; }
    [JsonPropertyName("peers")] public List<string>? Peers { get; set; }
}

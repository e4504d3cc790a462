using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

public sealed class InterfaceJson
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("mac")] public string? Mac { get; set; }
    // mtu, socketPath and pciID exist from 1.1.0 on.
    [JsonPropertyName("mtu")] public int? Mtu { get; set; }
    [JsonPropertyName("sandbox")] public string? Sandbox { get; set; }
    [JsonPropertyName("socketPath")] public string? SocketPath { get; set; }
    [JsonPropertyName("pciID")] public string? PciId { get; set; }
}

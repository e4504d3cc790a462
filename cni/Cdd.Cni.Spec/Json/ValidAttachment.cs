using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

public sealed class ValidAttachment
{
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifname")] public string? IfName { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Ipam.Agent.Protocol.Wire;

public sealed class AgentAttachment
{
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifName")] public string? IfName { get; set; }
}

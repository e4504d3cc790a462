using System.Text.Json.Serialization;

namespace Cdd.Ipam.Agent.Protocol.Wire;

public sealed class AgentRoute
{
    [JsonPropertyName("dst")] public string? Dst { get; set; }
    [JsonPropertyName("gw")] public string? Gw { get; set; }
}

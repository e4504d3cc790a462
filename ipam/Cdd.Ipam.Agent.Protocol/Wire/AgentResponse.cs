using System.Text.Json.Serialization;

namespace Cdd.Ipam.Agent.Protocol.Wire;

public sealed class AgentResponse
{
    [JsonPropertyName("ok")] public bool Ok { get; set; }
    /// <summary>On failure: the CNI error code and message the plugin reports.</summary>
    [JsonPropertyName("code")] public int Code { get; set; }
    [JsonPropertyName("msg")] public string? Msg { get; set; }
    [JsonPropertyName("details")] public string? Details { get; set; }
    [JsonPropertyName("ips")] public List<AgentIp>? Ips { get; set; }
    [JsonPropertyName("routes")] public List<AgentRoute>? Routes { get; set; }
    [JsonPropertyName("segment")] public string? Segment { get; set; }
    [JsonPropertyName("vlan")] public int? Vlan { get; set; }
}

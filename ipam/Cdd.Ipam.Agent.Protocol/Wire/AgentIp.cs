using System.Text.Json.Serialization;

namespace Cdd.Ipam.Agent.Protocol.Wire;

public sealed class AgentIp
{
    /// <summary>CIDR: the address with its segment's prefix length.</summary>
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
}

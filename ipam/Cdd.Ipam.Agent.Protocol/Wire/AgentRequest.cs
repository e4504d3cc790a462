using System.Text.Json.Serialization;

namespace Cdd.Ipam.Agent.Protocol.Wire;

public sealed class AgentRequest
{
    [JsonPropertyName("v")] public int V { get; set; } = AgentProtocol.Version;
    /// <summary>ADD, DEL, CHECK, GC or STATUS.</summary>
    [JsonPropertyName("verb")] public string? Verb { get; set; }
    [JsonPropertyName("pool")] public string? Pool { get; set; }
    /// <summary>The CNI network name (GC judges only its own network's attachments).</summary>
    [JsonPropertyName("network")] public string? Network { get; set; }
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifName")] public string? IfName { get; set; }
    [JsonPropertyName("podNamespace")] public string? PodNamespace { get; set; }
    [JsonPropertyName("podName")] public string? PodName { get; set; }
    [JsonPropertyName("podUID")] public string? PodUid { get; set; }
    /// <summary>runtimeConfig.ips: the one address this attachment must get.</summary>
    [JsonPropertyName("requestedIP")] public string? RequestedIp { get; set; }
    /// <summary>CHECK: the addresses the runtime's prevResult holds.</summary>
    [JsonPropertyName("addresses")] public List<string>? Addresses { get; set; }
    /// <summary>
    /// How long the client waits for the answer, in milliseconds from sending (the plugin's timeoutSeconds). The agent
    /// stops working for the request before then and gives back whatever it claimed for it, so an ADD its client gave up
    /// on leaves nothing behind. Absent (an older client): the agent's own default.
    /// </summary>
    [JsonPropertyName("timeoutMs")] public long? TimeoutMs { get; set; }
    /// <summary>GC: the attachments the runtime still has.</summary>
    [JsonPropertyName("valid")] public List<AgentAttachment>? Valid { get; set; }
}

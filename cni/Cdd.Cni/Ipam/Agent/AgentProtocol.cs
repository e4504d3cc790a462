using System.Text.Json.Serialization;

namespace Cdd.Cni.Ipam.Agent;

/// <summary>
/// The cdd-ipamd wire protocol on its Unix socket: one request per connection. The client writes one JSON
/// <see cref="AgentRequest"/> and shuts its sending side; the agent answers one JSON <see cref="AgentResponse"/>
/// and closes. Version 1.
/// </summary>
public static class AgentProtocol
{
    public const int Version = 1;
    public const string DefaultSocket = "/run/cdd/ipamd.sock";
    /// <summary>Neither side reads more than this from the other.</summary>
    public const int MaxMessageBytes = 1 << 20;
}

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
    /// <summary>GC: the attachments the runtime still has.</summary>
    [JsonPropertyName("valid")] public List<AgentAttachment>? Valid { get; set; }
}

public sealed class AgentAttachment
{
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifName")] public string? IfName { get; set; }
}

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

public sealed class AgentIp
{
    /// <summary>CIDR: the address with its segment's prefix length.</summary>
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
}

public sealed class AgentRoute
{
    [JsonPropertyName("dst")] public string? Dst { get; set; }
    [JsonPropertyName("gw")] public string? Gw { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentRequest))]
[JsonSerializable(typeof(AgentResponse))]
public sealed partial class AgentJsonContext : JsonSerializerContext;

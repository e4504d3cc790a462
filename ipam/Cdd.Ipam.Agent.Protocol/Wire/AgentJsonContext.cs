using System.Text.Json.Serialization;

namespace Cdd.Ipam.Agent.Protocol.Wire;

/// <summary>Source-generated only: cdd-cni and cdd-ipam are native AOT with reflection-based serialization off.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentRequest))]
[JsonSerializable(typeof(AgentResponse))]
public sealed partial class AgentJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>
/// Every type that crosses stdin or stdout. Source-generated only: the binary is native AOT with reflection-based
/// serialization switched off, so a type missing here fails loudly instead of silently trimming.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NetConf))]
[JsonSerializable(typeof(ResultJson))]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(VersionJson))]
public sealed partial class CniJsonContext : JsonSerializerContext;

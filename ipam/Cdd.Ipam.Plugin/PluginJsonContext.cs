using System.Text.Json.Serialization;

namespace Cdd.Ipam.Plugin;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IpamEnvelopeJson))]
internal sealed partial class PluginJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Cdd.Ipam.Files;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(PoolsFileJson))]
[JsonSerializable(typeof(PoolStatusFileJson))]
internal sealed partial class FileClusterJsonContext : JsonSerializerContext;

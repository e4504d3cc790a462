using System.Text.Json.Serialization;

namespace Cdd.Ipam.Files;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReservationJson))]
internal sealed partial class FileStoreJsonContext : JsonSerializerContext;

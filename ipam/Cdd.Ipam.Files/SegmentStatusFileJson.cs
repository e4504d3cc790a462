using System.Text.Json.Serialization;

namespace Cdd.Ipam.Files;

public sealed class SegmentStatusFileJson
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("total")] public long Total { get; set; }
    [JsonPropertyName("allocated")] public long Allocated { get; set; }
    [JsonPropertyName("free")] public long Free { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Ipam.Files;

public sealed class PoolStatusFileJson
{
    [JsonPropertyName("total")] public long Total { get; set; }
    [JsonPropertyName("allocated")] public long Allocated { get; set; }
    [JsonPropertyName("free")] public long Free { get; set; }
    [JsonPropertyName("segments")] public List<SegmentStatusFileJson>? Segments { get; set; }
}

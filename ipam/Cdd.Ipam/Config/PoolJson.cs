using System.Text.Json.Serialization;

namespace Cdd.Ipam.Config;

/// <summary>An IPPool's spec as written by an admin (the CRD's spec and the file store's "pool" share this shape).</summary>
public sealed class PoolJson
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("segments")] public List<SegmentJson?>? Segments { get; set; }
}

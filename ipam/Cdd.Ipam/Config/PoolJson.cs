using System.Text.Json.Serialization;

namespace Cdd.Ipam.Config;

/// <summary>An IPPool's spec as written by an admin (the CRD's spec and the file store's "pool" share this shape).</summary>
public sealed class PoolJson
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("segments")] public List<SegmentJson?>? Segments { get; set; }
    /// <summary>Namespaces whose pods may draw from the pool; absent means every namespace.</summary>
    [JsonPropertyName("namespaceSelector")] public LabelSelectorJson? NamespaceSelector { get; set; }
    /// <summary>Pods that may draw from the pool; absent means every pod.</summary>
    [JsonPropertyName("podSelector")] public LabelSelectorJson? PodSelector { get; set; }
}

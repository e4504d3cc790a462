using System.Text.Json.Serialization;
using k8s.Models;

namespace Cdd.Ipam.Kube.Resources;

/// <summary>A LIST answer for a custom resource: the items and the resourceVersion a watch continues from.</summary>
public sealed class KubeList<T>
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("metadata")] public V1ListMeta? Metadata { get; set; }
    [JsonPropertyName("items")] public List<T>? Items { get; set; }
}

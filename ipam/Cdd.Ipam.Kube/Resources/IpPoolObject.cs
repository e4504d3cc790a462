using System.Text.Json.Serialization;
using Cdd.Ipam.Config;
using k8s;
using k8s.Models;

namespace Cdd.Ipam.Kube.Resources;

/// <summary>An IPPool as the API server stores it (deploy/manifests/crds/ippools.cdd.io.yaml). The spec has the
/// shape <see cref="PoolJson"/> validates, less the name, which is the object's.</summary>
public sealed class IpPoolObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = CddResources.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = CddResources.PoolKind;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public PoolJson? Spec { get; set; }
    [JsonPropertyName("status")] public IpPoolStatus? Status { get; set; }
}

/// <summary>What the agent writes to an IPPool's status subresource.</summary>
public sealed class IpPoolStatus
{
    [JsonPropertyName("segmentCount")] public int SegmentCount { get; set; }
    [JsonPropertyName("total")] public long Total { get; set; }
    [JsonPropertyName("allocated")] public long Allocated { get; set; }
    [JsonPropertyName("free")] public long Free { get; set; }
    [JsonPropertyName("segments")] public List<IpPoolSegmentStatus> Segments { get; set; } = [];
}

public sealed class IpPoolSegmentStatus
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("total")] public long Total { get; set; }
    [JsonPropertyName("allocated")] public long Allocated { get; set; }
    [JsonPropertyName("free")] public long Free { get; set; }
}

using System.Text.Json.Serialization;
using Cdd.Ipam.Store;
using k8s;
using k8s.Models;

namespace Cdd.Ipam.Kube.Resources;

/// <summary>An IPReservation as the API server stores it (deploy/manifests/crds/ipreservations.cdd.io.yaml).</summary>
public sealed class IpReservationObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = CddResources.ApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = CddResources.ReservationKind;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public IpReservationSpec? Spec { get; set; }
}

public sealed class IpReservationSpec
{
    [JsonPropertyName("pool")] public string? Pool { get; set; }
    [JsonPropertyName("segment")] public string? Segment { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("vlan")] public int? Vlan { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    [JsonPropertyName("node")] public string? Node { get; set; }
    [JsonPropertyName("owner")] public OwnerJson? Owner { get; set; }
    [JsonPropertyName("fixed")] public FixedJson? Fixed { get; set; }
}

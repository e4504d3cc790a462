using System.Text.Json.Serialization;
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
    [JsonPropertyName("owner")] public ReservationOwnerSpec? Owner { get; set; }
    [JsonPropertyName("fixed")] public FixedIdentitySpec? Fixed { get; set; }
}

public sealed class ReservationOwnerSpec
{
    [JsonPropertyName("containerID")] public string? ContainerId { get; set; }
    [JsonPropertyName("ifname")] public string? IfName { get; set; }
    [JsonPropertyName("podNamespace")] public string? PodNamespace { get; set; }
    [JsonPropertyName("podName")] public string? PodName { get; set; }
    [JsonPropertyName("podUID")] public string? PodUid { get; set; }
    [JsonPropertyName("network")] public string? Network { get; set; }
}

public sealed class FixedIdentitySpec
{
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("statefulSet")] public string? StatefulSet { get; set; }
    [JsonPropertyName("ordinal")] public int? Ordinal { get; set; }
    [JsonPropertyName("key")] public string? Key { get; set; }
}

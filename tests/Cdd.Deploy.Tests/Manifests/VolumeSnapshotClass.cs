using k8s;
using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>external-snapshotter's snapshot.storage.k8s.io/v1 VolumeSnapshotClass (its CRD ships with the snapshot controller).</summary>
public sealed class VolumeSnapshotClass : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public string Driver { get; set; } = "";
    public string DeletionPolicy { get; set; } = "";
    public IDictionary<string, string>? Parameters { get; set; }
}

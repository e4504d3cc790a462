using k8s;
using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// An object of one of our own kinds (IPPool, MySQLCluster, SanLun, ...): metadata typed and strict like any object;
/// spec and status are checked against the CRD the tree ships (<see cref="CrdSchema"/>), from the YAML nodes.
/// </summary>
public sealed class CustomObject : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public object? Spec { get; set; }
    public object? Status { get; set; }
}

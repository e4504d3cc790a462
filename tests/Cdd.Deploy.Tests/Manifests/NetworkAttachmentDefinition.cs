using k8s;
using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>Multus's k8s.cni.cncf.io/v1 NetworkAttachmentDefinition (its CRD is Multus's, not in this tree): a CNI config as a string.</summary>
public sealed class NetworkAttachmentDefinition : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public NadSpec Spec { get; set; } = new();
}

public sealed class NadSpec
{
    public string Config { get; set; } = "";
}

using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>One object of the tree: where it came from, the typed object, and its YAML node (for the CRD schema check).</summary>
public sealed record ManifestObject(string File, IKubernetesObject<V1ObjectMeta> Object, YamlMappingNode Node)
{
    public string Kind => Object.Kind;
    public string Name => Object.Metadata.Name;
    public string? Namespace => Object.Metadata.NamespaceProperty;
    public string Id => $"{Kind}/{(Namespace is null ? "" : Namespace + "/")}{Name}";

    public T As<T>() where T : class => Object as T ?? throw new InvalidOperationException($"{Id} in {File} is a {Object.GetType().Name}, not a {typeof(T).Name}");

    public override string ToString() => $"{Id} ({File})";
}

using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// The manifests as typed objects: every YAML document under deploy/manifests (kustomization.yaml files aside) through
/// KubernetesClient's loader in strict mode, so a misspelled or misplaced field fails the load instead of being dropped.
/// </summary>
public sealed class ManifestTree
{
    public static readonly string Root = Path.Combine(Cdd.Testing.RepoRoot.Path, "deploy", "manifests");

    static readonly Dictionary<string, Type> OurKinds = new(StringComparer.Ordinal)
    {
        ["cdd.io/v1/IPPool"] = typeof(CustomObject),
        ["cdd.io/v1/IPReservation"] = typeof(CustomObject),
        ["cdd.io/v1/MySQLCluster"] = typeof(CustomObject),
        ["cdd.io/v1/SanLun"] = typeof(CustomObject),
        ["cdd.io/v1/SanLunClaim"] = typeof(CustomObject),
        ["k8s.cni.cncf.io/v1/NetworkAttachmentDefinition"] = typeof(NetworkAttachmentDefinition),
        ["snapshot.storage.k8s.io/v1/VolumeSnapshotClass"] = typeof(VolumeSnapshotClass),
    };

    ManifestTree(IReadOnlyList<ManifestObject> objects) => Objects = objects;

    public IReadOnlyList<ManifestObject> Objects { get; }

    /// <summary>Every file of the tree (or of one folder of it), in path order.</summary>
    public static ManifestTree Load(string? under = null)
    {
        var objects = new List<ManifestObject>();
        foreach (var file in Directory.EnumerateFiles(under ?? Root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "kustomization.yaml") continue;
            objects.AddRange(Parse(File.ReadAllText(file), Path.GetRelativePath(Root, file)));
        }
        return new ManifestTree(objects);
    }

    public static ManifestTree FromObjects(IReadOnlyList<ManifestObject> objects) => new(objects);

    /// <summary>A multi-document YAML text (a file, or what `kubectl kustomize` prints).</summary>
    public static ManifestTree FromText(string yaml, string source) => new(Parse(yaml, source));

    public static IReadOnlyList<ManifestObject> Parse(string yaml, string source)
    {
        List<object> typed;
        try
        {
            typed = KubernetesYaml.LoadAllFromString(yaml, OurKinds, strict: true);
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new ManifestException($"{source}: {Describe(e)}", e);
        }
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var nodes = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
        if (nodes.Count != typed.Count) throw new ManifestException($"{source}: {typed.Count} typed objects but {nodes.Count} YAML documents");
        return [.. typed.Select((o, i) => new ManifestObject(source,
            o as IKubernetesObject<V1ObjectMeta> ?? throw new ManifestException($"{source}: document {i + 1} ({o.GetType().Name}) has no metadata"), nodes[i]))];
    }

    static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) parts.Add(x.Message);
        return string.Join(": ", parts.Distinct());
    }

    public IEnumerable<ManifestObject> OfKind(string kind) => Objects.Where(o => o.Kind == kind);

    public ManifestObject Single(string kind, string name) =>
        Objects.SingleOrDefault(o => o.Kind == kind && o.Name == name) ?? throw new InvalidOperationException($"no {kind} {name} in the tree");

    /// <summary>The same objects with one replaced: the mutation tests change one object in memory and re-run a check.</summary>
    public ManifestTree With(ManifestObject original, IKubernetesObject<V1ObjectMeta> replacement) =>
        new([.. Objects.Select(o => ReferenceEquals(o, original) ? o with { Object = replacement } : o)]);

    /// <summary>A deep copy of a typed object (through YAML), for mutating in memory.</summary>
    public static T Copy<T>(T obj) => KubernetesYaml.Deserialize<T>(KubernetesYaml.Serialize(obj!));
}

public sealed class ManifestException(string message, Exception? inner = null) : Exception(message, inner);

using Cdd.Ipam.Model;

namespace Cdd.Ipam.Cluster;

/// <summary>
/// What the node agent reads about the cluster besides reservations: the pools (from IPPool objects, kept by a watch
/// cache), this node, the pods that ask for addresses and their namespaces. Implemented over the Kubernetes API and,
/// for a node without Kubernetes, over static files. Failures to reach the source are
/// <see cref="Store.StoreUnavailableException"/>.
/// </summary>
public interface IClusterView
{
    /// <summary>The validated pool, or null when no such pool exists (or its spec is invalid: see <see cref="PoolProblem"/>).</summary>
    IpPool? FindPool(string name);

    /// <summary>Why the named pool's spec was refused, or null when it is valid or unknown.</summary>
    string? PoolProblem(string name);

    /// <summary>Every valid pool known now.</summary>
    IReadOnlyList<IpPool> Pools { get; }

    /// <summary>The node by name: its labels (segment node selectors match them) and trunk VLANs.</summary>
    Task<NodeView> GetNodeAsync(string name, CancellationToken ct);

    /// <summary>The pod, or null when it does not exist. Always a fresh read where it decides a release.</summary>
    Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct);

    /// <summary>The namespace's labels (empty when it has none); null when the namespace does not exist.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetNamespaceLabelsAsync(string ns, CancellationToken ct);

    /// <summary>Writes the pool's status subresource (counts per segment and totals). Conflicts are retried inside.</summary>
    Task WritePoolStatusAsync(string pool, IReadOnlyList<SegmentUsage> usage, CancellationToken ct);
}

/// <summary>What the agent needs of a pod: identity, labels, the fixed-ip annotation and its StatefulSet owner.</summary>
public sealed record PodInfo(string Namespace, string Name, string Uid)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
    /// <summary>The name of the StatefulSet in the pod's ownerReferences (controller=true), if any.</summary>
    public string? StatefulSet { get; init; }
}

/// <summary>One segment's counts for IPPool status.</summary>
public sealed record SegmentUsage(string Segment, long Total, long Allocated)
{
    public long Free => Total - Allocated;
}

namespace Cdd.Ipam.Model;

/// <summary>A validated pool: segments in the order the admin listed them, which is also the order they are tried in.</summary>
public sealed record IpPool(string Name, IReadOnlyList<Segment> Segments)
{
    /// <summary>Namespaces (by their labels) whose pods may draw from the pool; null: every namespace.</summary>
    public LabelSelector? NamespaceSelector { get; init; }
    /// <summary>Pods (by their labels) that may draw from the pool; null: every pod.</summary>
    public LabelSelector? PodSelector { get; init; }

    /// <summary>Whether a pod with these labels, in a namespace with these labels, may draw from the pool.</summary>
    public bool Admits(IReadOnlyDictionary<string, string> namespaceLabels, IReadOnlyDictionary<string, string> podLabels) =>
        (NamespaceSelector?.Matches(namespaceLabels) ?? true) && (PodSelector?.Matches(podLabels) ?? true);

    public Segment? FindSegment(string name) => Segments.FirstOrDefault(s => s.Name == name);

    /// <summary>The segment whose subnet holds the address; segments never overlap, so there is at most one.</summary>
    public Segment? SegmentOf(System.Net.IPAddress address) => Segments.FirstOrDefault(s => s.Subnet.Contains(address));
}

namespace Cdd.Ipam.Model;

/// <summary>
/// What the engine knows about the node a pod lands on: its labels (matched against segment node selectors) and the
/// VLANs its trunk can tag (an SR-IOV VF can be put on any of them).
/// </summary>
public sealed record NodeView(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlySet<int> TrunkVlans)
{
    public static NodeView Named(string name) => new(name, new Dictionary<string, string>(), new HashSet<int>());

    public bool Matches(IReadOnlyDictionary<string, string> selector) =>
        selector.All(kv => Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

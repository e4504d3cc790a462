using Cdd.Ipam.Cluster;
using Cdd.Ipam.Config;
using Cdd.Ipam.Model;

namespace Cdd.Ipamd.Tests;

/// <summary>A cluster in memory: pools, nodes, pods and namespaces the test sets, and the status writes it receives.</summary>
internal sealed class FakeCluster : IClusterView
{
    public Dictionary<string, IpPool> PoolsByName { get; } = [];
    public Dictionary<string, NodeView> Nodes { get; } = [];
    public Dictionary<(string, string), PodInfo> Pods { get; } = [];
    public Dictionary<string, IReadOnlyDictionary<string, string>> Namespaces { get; } = [];
    public List<(string Pool, IReadOnlyList<SegmentUsage> Usage)> StatusWrites { get; } = [];

    public FakeCluster With(IpPool pool)
    {
        PoolsByName[pool.Name] = pool;
        return this;
    }

    public PodInfo AddPod(string ns, string name, string? statefulSet = null, Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null)
    {
        var pod = new PodInfo(ns, name, Guid.NewGuid().ToString())
        {
            StatefulSet = statefulSet,
            Labels = labels ?? [],
            Annotations = annotations ?? [],
        };
        lock (Pods) Pods[(ns, name)] = pod;
        Namespaces.TryAdd(ns, new Dictionary<string, string>());
        return pod;
    }

    public void DeletePod(string ns, string name)
    {
        lock (Pods) Pods.Remove((ns, name));
    }

    public IpPool? FindPool(string name) => PoolsByName.GetValueOrDefault(name);
    public string? PoolProblem(string name) => null;
    public IReadOnlyList<IpPool> Pools => [.. PoolsByName.Values];

    public Task<NodeView> GetNodeAsync(string name, CancellationToken ct) =>
        Task.FromResult(Nodes.TryGetValue(name, out var n) ? n : NodeView.Named(name));

    public Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct)
    {
        lock (Pods) return Task.FromResult(Pods.GetValueOrDefault((ns, name)));
    }

    public Task<IReadOnlyDictionary<string, string>?> GetNamespaceLabelsAsync(string ns, CancellationToken ct) =>
        Task.FromResult(Namespaces.GetValueOrDefault(ns));

    public Task WritePoolStatusAsync(string pool, IReadOnlyList<SegmentUsage> usage, CancellationToken ct)
    {
        lock (StatusWrites) StatusWrites.Add((pool, usage));
        return Task.CompletedTask;
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    DateTimeOffset _now = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => _now;
    public override long GetTimestamp() => _now.UtcTicks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public void Advance(TimeSpan by) => _now += by;
}

internal static class Pools
{
    public static SegmentJson Segment(string name, string subnet, string? gateway, int vlan, string? rack, string? first = null, string? last = null) => new()
    {
        Name = name,
        Subnet = subnet,
        Gateway = gateway,
        Vlan = vlan,
        NodeSelector = rack is null ? null : new() { ["rack"] = rack },
        Ranges = first is null ? null : [new RangeJson { Start = first, End = last }],
        Routes = [new RouteSpecJson { Dst = "0.0.0.0/0", Gw = gateway }],
    };

    /// <summary>Two racks: rack-a reaches seg-a (VLAN 100) untagged, rack-b reaches seg-b (VLAN 120) untagged.</summary>
    public static IpPool TwoRacks(string name = "mysql", LabelSelectorJson? podSelector = null, LabelSelectorJson? namespaceSelector = null) =>
        PoolParser.Parse(new PoolJson
        {
            Name = name,
            Segments =
            [
                Segment("seg-a", "10.10.0.0/24", "10.10.0.1", 100, "a", "10.10.0.10", "10.10.0.19"),
                Segment("seg-b", "10.20.0.0/24", "10.20.0.1", 120, "b", "10.20.0.10", "10.20.0.19"),
            ],
            PodSelector = podSelector,
            NamespaceSelector = namespaceSelector,
        });

    public static NodeView Node(string name, string rack, params int[] trunk) => new(name, new Dictionary<string, string> { ["rack"] = rack }, trunk.ToHashSet());
}

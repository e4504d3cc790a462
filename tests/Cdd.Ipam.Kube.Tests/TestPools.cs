using Cdd.Ipam.Config;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Kube.Tests;

/// <summary>Pools built through the parser, so they are exactly what validation lets through.</summary>
internal static class TestPools
{
    public static SegmentJson Segment(string name, string subnet, string? gateway = null, int vlan = 0,
        Dictionary<string, string?>? nodeSelector = null, params (string Start, string End)[] ranges) => new()
    {
        Name = name, Subnet = subnet, Gateway = gateway, Vlan = vlan, NodeSelector = nodeSelector,
        Ranges = ranges.Length == 0 ? null : [.. ranges.Select(r => new RangeJson { Start = r.Start, End = r.End })],
    };

    public static IpPool Pool(string name, params SegmentJson[] segments) => PoolParser.Parse(new PoolJson { Name = name, Segments = [.. segments] });

    /// <summary>rack-a nodes reach seg-a untagged, rack-b nodes seg-b; both segments carry a VLAN.</summary>
    public static IpPool TwoRacks(string name = "mysql") => Pool(name,
        Segment("seg-a", "10.10.0.0/24", "10.10.0.1", vlan: 100, nodeSelector: new() { ["rack"] = "a" }),
        Segment("seg-b", "10.20.0.0/24", "10.20.0.1", vlan: 200, nodeSelector: new() { ["rack"] = "b" }));

    public static NodeView Node(string name, string? rack = null, params int[] trunk) =>
        new(name, rack is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["rack"] = rack }, trunk.ToHashSet());
}

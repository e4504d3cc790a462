using System.Net;
using Cdd.Net;

namespace Cdd.Ipam.Model;

/// <summary>
/// One L2 network of a pool. <see cref="Vlan"/> 0 means the segment has no tag of its own; <see cref="NodeSelector"/>
/// names the nodes that reach it untagged (empty: every node).
/// </summary>
public sealed record Segment
{
    public required string Name { get; init; }
    public required IpPrefix Subnet { get; init; }
    public IPAddress? Gateway { get; init; }
    public int Vlan { get; init; }
    /// <summary>Allocatable spans; empty means the whole subnet.</summary>
    public IReadOnlyList<AddressRange> Ranges { get; init; } = [];
    public IReadOnlyList<IpPrefix> Exclude { get; init; } = [];
    public IReadOnlyList<SegmentRoute> Routes { get; init; } = [];
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();
}

namespace Cdd.Ipam.Model;

/// <summary>A validated pool: segments in the order the admin listed them, which is also the order they are tried in.</summary>
public sealed record IpPool(string Name, IReadOnlyList<Segment> Segments)
{
    public Segment? FindSegment(string name) => Segments.FirstOrDefault(s => s.Name == name);

    /// <summary>The segment whose subnet holds the address; segments never overlap, so there is at most one.</summary>
    public Segment? SegmentOf(System.Net.IPAddress address) => Segments.FirstOrDefault(s => s.Subnet.Contains(address));
}

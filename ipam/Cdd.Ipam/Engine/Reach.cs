using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>How a node gets onto a segment.</summary>
public enum Reach
{
    None,
    /// <summary>The node's selector matches: its uplink is on the segment as is.</summary>
    Untagged,
    /// <summary>The node's trunk carries the segment's VLAN, so an SR-IOV VF tagged with it reaches the segment.</summary>
    Tagged,
}

public static class Reachability
{
    public static Reach Of(NodeView node, Segment segment)
    {
        if (node.Matches(segment.NodeSelector)) return Reach.Untagged;
        if (segment.Vlan != 0 && node.TrunkVlans.Contains(segment.Vlan)) return Reach.Tagged;
        return Reach.None;
    }
}

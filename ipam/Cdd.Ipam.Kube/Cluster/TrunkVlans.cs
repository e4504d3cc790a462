using System.Globalization;
using Cdd.Ipam.Kube.Resources;

namespace Cdd.Ipam.Kube.Cluster;

/// <summary>The node annotation cdd.io/trunk-vlans: "100,200,300", the VLANs the node's uplink trunk can tag.</summary>
public static class TrunkVlans
{
    public static IReadOnlySet<int> Parse(string node, string? value)
    {
        var vlans = new HashSet<int>();
        if (string.IsNullOrWhiteSpace(value)) return vlans;
        string field = $"metadata.annotations[{CddResources.TrunkVlansAnnotation}]";
        foreach (var raw in value.Split(','))
        {
            string item = raw.Trim();
            // VLAN 0 is "untagged" in a segment and 4095 is reserved: neither can be put on a trunk.
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int vlan) || vlan is < 1 or > 4094)
                throw new ClusterObjectException($"node {node}", field, $"\"{item}\" in \"{value}\" is not a VLAN (1..4094; comma-separated)");
            vlans.Add(vlan);
        }
        return vlans;
    }
}

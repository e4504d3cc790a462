using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Placement.Live;
using k8s.Models;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>Pure: the node of every missing member, given the volumes that pin some of them and the live inventory.</summary>
internal static class MemberAssignment
{
    /// <summary>
    /// The node of every missing member (and whether it bootstraps the group): pinned members on the best node their
    /// volume allows (passing the filters if one does: their data is there, so a node over a soft limit still beats no
    /// member), the rest by the planner with the pinned ones counted where they go.
    /// </summary>
    public static (SortedDictionary<int, (string Node, bool Bootstrap)> Assigned, string? Failure) Assign(ClusterSpec spec, List<int> missing,
        Dictionary<int, VolumePin> pins, List<V1Node> nodes, List<V1Pod> members, bool fresh)
    {
        var assigned = new SortedDictionary<int, (string, bool)>();
        foreach (var (ordinal, pin) in pins.OrderBy(kv => kv.Key))
        {
            var (planner, failure) = LiveInventory.Planner(nodes, members, spec);
            if (planner is null) return (assigned, failure);
            var candidates = nodes.Where(n => pin.Allows(n) && planner.Contains(n.Metadata.Name)
                    && !planner.Host(n.Metadata.Name).Clusters.ContainsKey(spec.Key))
                .Select(n => n.Metadata.Name).Order(StringComparer.Ordinal).ToList();
            if (candidates.Count == 0)
                return (assigned, $"member {MemberNames.PodName(spec.Name, ordinal)} waits: {pin.Reason}, and none of them is schedulable " +
                    $"(delete PVC {pin.Pvc} to place the member elsewhere; its data goes with it)");
            var node = candidates.Where(n => planner.Filter(n, spec.Request).Count == 0).OrderBy(n => planner.Cost(n, spec.Request)).FirstOrDefault() ?? candidates[0];
            assigned[ordinal] = (node, false);
            members.Add(MemberManifests.Placeholder(spec, ordinal, node));
        }
        var free = missing.Where(i => !pins.ContainsKey(i)).ToList();
        if (free.Count == 0) return (assigned, null);
        var (p, f) = LiveInventory.Planner(nodes, members, spec);
        var result = p?.Place(spec.Request);
        if ((f ?? result!.Failure) is { } placeFailure) return (assigned, placeFailure);
        var placed = result!.Members.Where(m => m.IsNew).ToList();
        for (int k = 0; k < free.Count; k++) assigned[free[k]] = (placed[k].Node, fresh && pins.Count == 0 && placed[k].IsPrimary);
        return (assigned, null);
    }
}

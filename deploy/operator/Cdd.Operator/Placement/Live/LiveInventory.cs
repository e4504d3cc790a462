using Cdd.Operator.Model;
using k8s.Models;

namespace Cdd.Operator.Placement.Live;

/// <summary>The placement engine over what the API server holds: Node objects and the member pods of every cluster.</summary>
internal static class LiveInventory
{
    /// <summary>
    /// The planner over the live inventory. Each node's MySQL requests are those of the member pods bound to it; running
    /// members of every cluster are existing members, except, for <paramref name="scaling"/> (the cluster being
    /// reconciled), pods at or above its spec.members (about to go). A pod on a node the inventory does not hold
    /// (deleted, unschedulable) is not a member placement can count on.
    /// </summary>
    public static (Planner? Planner, string? Failure) Planner(IList<V1Node> nodes, IList<V1Pod> memberPods, ClusterSpec? scaling = null)
    {
        var cpu = new Dictionary<string, long>();
        var mem = new Dictionary<string, long>();
        foreach (var p in memberPods)
        {
            if (p.Spec?.NodeName is not { } n) continue;
            foreach (var c in p.Spec.Containers ?? [])
            {
                var req = c.Resources?.Requests;
                if (req is null) continue;
                if (req.TryGetValue("cpu", out var q) && Quantity.CpuMillis(q.ToString()) is { } m) cpu[n] = cpu.GetValueOrDefault(n) + m;
                if (req.TryGetValue("memory", out var mq) && Quantity.Bytes(mq.ToString()) is { } b) mem[n] = mem.GetValueOrDefault(n) + b;
            }
        }
        var inventory = nodes.Select(n => NodeInventoryReader.Read(n, cpu.GetValueOrDefault(n.Metadata.Name), mem.GetValueOrDefault(n.Metadata.Name)))
            .OfType<NodeInventory>().ToList();
        var known = inventory.Select(n => n.Name).ToHashSet();
        var existing = new List<ExistingMember>();
        var seen = new HashSet<(string Cluster, string Node)>();
        var primaries = new HashSet<string>();
        foreach (var p in memberPods)
        {
            if (p.Spec?.NodeName is not { } node || !known.Contains(node)) continue;
            if (MemberNames.Value(p.Metadata.Labels, MemberNames.ClusterLabel) is not { } clusterName) continue;
            string key = $"{p.Metadata.NamespaceProperty}/{clusterName}";
            if (scaling is not null && key == scaling.Key && (MemberNames.Ordinal(scaling.Name, p.Metadata.Name) is not { } i || i >= scaling.Members)) continue;
            if (!seen.Add((key, node))) continue;
            var role = MemberNames.Role(p);
            if (role == MemberRole.Primary && !primaries.Add(key)) role = MemberRole.Secondary;
            var modeText = MemberNames.Value(p.Metadata.Annotations, MemberNames.NetworkModeAnnotation);
            NetworkMode? mode = Enum.TryParse<NetworkMode>(modeText, ignoreCase: true, out var nm) ? nm : null;
            existing.Add(new ExistingMember(key, node, role, mode));
        }
        try
        {
            return (new Planner(inventory, existing), null);
        }
        catch (ArgumentException e)
        {
            return (null, $"node inventory unusable: {e.Message}");
        }
    }
}

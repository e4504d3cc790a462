using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Placement;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>Placing the members that have no pod: volumes, nodes, addresses, then PVCs and pods.</summary>
public sealed partial class MySqlClusterReconciler
{
    /// <summary>
    /// Places the members that have no pod: first those whose volume pins them (<see cref="MemberVolumes"/>) on a node
    /// their volume allows, then the others with the planner over the live inventory; binds each one's address on its
    /// node; then makes their PVCs (naming the node) and pods. Returns the cluster's pods afterwards, or why nothing was
    /// created.
    /// </summary>
    async Task<(Dictionary<int, V1Pod> Mine, string? Failure)> PlaceMissingAsync(ClusterSpec spec, List<int> missing, Dictionary<int, IPAddress> addresses,
        Dictionary<string, V1PersistentVolumeClaim> pvcs, CancellationToken ct)
    {
        var allMembers = (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: MemberObjects.ClusterLabel, cancellationToken: ct)).Items;
        var mine = OwnPods(allMembers, spec);
        var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items;
        var pins = new Dictionary<int, VolumePin>();
        foreach (int ordinal in missing)
            if (await MemberVolumes.PinAsync(client, pvcs.GetValueOrDefault(MemberObjects.PvcName(spec.Name, ordinal)), ct) is { } pin) pins[ordinal] = pin;
        // A member keeps its address for life, so it must land on a node that reaches the segment it is bound in.
        // The planner knows nothing of segments: a node the binding refuses is left out and the members placed again
        // (each round drops one more node, so this ends).
        var unreachable = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var usable = nodes.Where(n => !unreachable.Contains(n.Metadata.Name)).ToList();
            var (assigned, failure) = Assign(spec, missing, pins, usable, [.. allMembers], mine.Count == 0);
            if (failure is not null)
                return (mine, unreachable.Count == 0 ? failure : $"{failure} (left out: {string.Join(", ", unreachable)}, which reach no segment a member is or can be bound in)");
            try
            {
                // Every member's address before any pod: the seeds of each new pod name all of them.
                foreach (var (ordinal, (node, _)) in assigned)
                    addresses[ordinal] = await _addresses.BindAsync(spec, ordinal, node, ct);
            }
            catch (MemberAddressException e) when (e.UnreachableFrom is { } node && unreachable.Add(node))
            {
                continue;
            }
            catch (MemberAddressException e)
            {
                return (mine, e.Message);
            }
            string? allowlist = await _clusters.PoolAllowlistAsync(spec.Pool, ct);
            foreach (var (ordinal, (node, bootstrap)) in assigned)
            {
                await EnsurePvcAsync(spec, ordinal, node, pvcs.GetValueOrDefault(MemberObjects.PvcName(spec.Name, ordinal)), ct);
                var pod = MemberObjects.Pod(spec, ordinal, node, bootstrap, addresses, allowlist);
                await CreateOrSkip(() => client.CoreV1.CreateNamespacedPodAsync(pod, spec.Namespace, cancellationToken: ct));
            }
            var pods = await client.CoreV1.ListNamespacedPodAsync(spec.Namespace, labelSelector: $"{MemberObjects.ClusterLabel}={spec.Name}", cancellationToken: ct);
            return (OwnPods(pods.Items, spec), null);
        }
    }

    /// <summary>
    /// The node of every missing member (and whether it bootstraps the group): pinned members on the best node their
    /// volume allows (passing the filters if one does: their data is there, so a node over a soft limit still beats no
    /// member), the rest by the planner with the pinned ones counted where they go.
    /// </summary>
    static (SortedDictionary<int, (string Node, bool Bootstrap)> Assigned, string? Failure) Assign(ClusterSpec spec, List<int> missing,
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
                return (assigned, $"member {MemberObjects.PodName(spec.Name, ordinal)} waits: {pin.Reason}, and none of them is schedulable " +
                    $"(delete PVC {pin.Pvc} to place the member elsewhere; its data goes with it)");
            var node = candidates.Where(n => planner.Filter(n, spec.Request).Count == 0).OrderBy(n => planner.Cost(n, spec.Request)).FirstOrDefault() ?? candidates[0];
            assigned[ordinal] = (node, false);
            members.Add(MemberObjects.Placeholder(spec, ordinal, node));
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

    /// <summary>
    /// The member's PVC, naming <paramref name="node"/> as its selected node: created when missing; an existing one not
    /// bound yet and naming no node gets the annotation (one that names a node pinned the member there already).
    /// </summary>
    async Task EnsurePvcAsync(ClusterSpec spec, int ordinal, string node, V1PersistentVolumeClaim? pvc, CancellationToken ct)
    {
        if (pvc is null)
        {
            await CreateOrSkip(() => client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(MemberObjects.Pvc(spec, ordinal, node), spec.Namespace, cancellationToken: ct));
            return;
        }
        if (pvc.Spec?.VolumeName is { Length: > 0 } || MemberObjects.Value(pvc.Metadata.Annotations, MemberVolumes.SelectedNodeAnnotation) is not null) return;
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [MemberVolumes.SelectedNodeAnnotation] = node } } };
        await client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), pvc.Metadata.Name, spec.Namespace, cancellationToken: ct);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Places the members that have no pod: first those whose volume pins them (<see cref="MemberVolumes"/>) on a node
/// their volume allows, then the others with the planner over the live inventory (<see cref="MemberAssignment"/>);
/// binds each one's address on its node; then makes their PVCs (naming the node) and pods. The Placed condition: True
/// when every member has a pod that is not terminating, Waiting while a replaced pod still terminates, Unplaceable with
/// the reason nothing was created. Skipped (null) when binding a running member already failed in this pass.
/// </summary>
internal sealed class PlaceMembersStep(IKubernetes client, IMemberAddresses addresses, MySqlClusterApi clusters) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        if (pass.Find(Condition.Placed) is not null) return null;
        var spec = snapshot.Spec;
        var missing = Enumerable.Range(0, spec.Members).Where(i => !snapshot.Pods.ContainsKey(i)).ToList();
        string? failure = null;
        if (missing.Count > 0)
        {
            var (pods, bound, problem) = await PlaceAsync(snapshot, missing, pass);
            snapshot = snapshot with { Pods = pods, Addresses = bound };
            pass.Update(snapshot);
            failure = problem;
        }
        if (failure is not null) return new Condition(Condition.Placed, false, "Unplaceable", failure);
        // A member whose pod is still terminating is not placed yet: its replacement comes once the name is free.
        return snapshot.Pods.Count(kv => kv.Key < spec.Members && kv.Value.Metadata.DeletionTimestamp is null) == spec.Members
            ? new Condition(Condition.Placed, true, "Placed", $"{spec.Members} member(s) placed on distinct nodes")
            : new Condition(Condition.Placed, false, "Waiting", "waiting for member pods to be replaced");
    }

    /// <summary>The cluster's pods and addresses afterwards, and why nothing was created (null when the members were made).</summary>
    async Task<(Dictionary<int, V1Pod> Pods, Dictionary<int, IPAddress> Addresses, string? Failure)> PlaceAsync(ClusterSnapshot snapshot, List<int> missing, PassContext pass)
    {
        var spec = snapshot.Spec;
        var ct = pass.Ct;
        var bound = new Dictionary<int, IPAddress>(snapshot.Addresses);
        var inventory = await pass.InventoryAsync();
        var mine = ClusterSnapshot.OwnPods(inventory.MemberPods, spec);
        var pins = new Dictionary<int, VolumePin>();
        foreach (int ordinal in missing)
            if (await MemberVolumes.PinAsync(client, snapshot.Pvcs.GetValueOrDefault(MemberNames.PvcName(spec.Name, ordinal)), ct) is { } pin) pins[ordinal] = pin;
        // A member keeps its address for life, so it must land on a node that reaches the segment it is bound in.
        // The planner knows nothing of segments: a node the binding refuses is left out and the members placed again
        // (each round drops one more node, so this ends).
        var unreachable = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var usable = inventory.Nodes.Where(n => !unreachable.Contains(n.Metadata.Name)).ToList();
            var (assigned, failure) = MemberAssignment.Assign(spec, missing, pins, usable, [.. inventory.MemberPods], mine.Count == 0);
            if (failure is not null)
                return (mine, bound, unreachable.Count == 0 ? failure : $"{failure} (left out: {string.Join(", ", unreachable)}, which reach no segment a member is or can be bound in)");
            try
            {
                // Every member's address before any pod: the seeds of each new pod name all of them.
                foreach (var (ordinal, (node, _)) in assigned)
                    bound[ordinal] = await addresses.BindAsync(spec, ordinal, node, ct);
            }
            catch (MemberAddressException e) when (e.UnreachableFrom is { } node && unreachable.Add(node))
            {
                continue;
            }
            catch (MemberAddressException e)
            {
                return (mine, bound, e.Message);
            }
            string? allowlist = await clusters.PoolAllowlistAsync(spec.Pool, ct);
            foreach (var (ordinal, (node, bootstrap)) in assigned)
            {
                await EnsurePvcAsync(spec, ordinal, node, snapshot.Pvcs.GetValueOrDefault(MemberNames.PvcName(spec.Name, ordinal)), ct);
                var pod = MemberManifests.Pod(spec, ordinal, node, bootstrap, bound, allowlist);
                await KubeWrites.CreateOrSkip(() => client.CoreV1.CreateNamespacedPodAsync(pod, spec.Namespace, cancellationToken: ct));
            }
            var pods = await client.CoreV1.ListNamespacedPodAsync(spec.Namespace, labelSelector: $"{MemberNames.ClusterLabel}={spec.Name}", cancellationToken: ct);
            return (ClusterSnapshot.OwnPods(pods.Items, spec), bound, null);
        }
    }

    /// <summary>
    /// The member's PVC, naming <paramref name="node"/> as its selected node: created when missing; an existing one not
    /// bound yet and naming no node gets the annotation (one that names a node pinned the member there already).
    /// </summary>
    async Task EnsurePvcAsync(ClusterSpec spec, int ordinal, string node, V1PersistentVolumeClaim? pvc, CancellationToken ct)
    {
        if (pvc is null)
        {
            await KubeWrites.CreateOrSkip(() => client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(MemberManifests.Pvc(spec, ordinal, node), spec.Namespace, cancellationToken: ct));
            return;
        }
        if (pvc.Spec?.VolumeName is { Length: > 0 } || MemberNames.Value(pvc.Metadata.Annotations, MemberNames.SelectedNodeAnnotation) is not null) return;
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [MemberNames.SelectedNodeAnnotation] = node } } };
        await client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), pvc.Metadata.Name, spec.Namespace, cancellationToken: ct);
    }
}

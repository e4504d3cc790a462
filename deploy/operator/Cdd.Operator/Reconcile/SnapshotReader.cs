using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;
using k8s;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// Reads a cluster's own objects once per pass: three LISTs by label <c>cdd.io/cluster=&lt;name&gt;</c> (Services, PVCs,
/// pods). A member's pod carries its address; the pool's bindings are read only when a member has no pod (or a pod made
/// without the annotation), so a converged pass does not LIST a pool that every cluster may share.
/// </summary>
internal sealed class SnapshotReader(IKubernetes client, IMemberAddresses addresses)
{
    public async Task<ClusterSnapshot> ReadAsync(JsonObject cluster, ClusterSpec spec, CancellationToken ct)
    {
        string ns = spec.Namespace, own = $"{MemberNames.ClusterLabel}={spec.Name}";
        var services = (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: own, cancellationToken: ct)).Items;
        // PVCs are made with their pods (they name the pod's node); an existing one may pin its member to a node.
        var pvcs = (await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: own, cancellationToken: ct)).Items
            .ToDictionary(x => x.Metadata.Name, StringComparer.Ordinal);
        var pods = ClusterSnapshot.OwnPods((await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: own, cancellationToken: ct)).Items, spec);
        var bound = new Dictionary<int, IPAddress>();
        foreach (var (ordinal, pod) in pods)
            if (ordinal < spec.Members && MemberNames.Address(pod) is { } known) bound[ordinal] = known;
        if (Enumerable.Range(0, spec.Members).Any(i => !bound.ContainsKey(i)))
            foreach (var (ordinal, ip) in await addresses.ListAsync(ns, spec.Name, spec.Pool, ct))
                bound.TryAdd(ordinal, ip);
        return new ClusterSnapshot(cluster, spec, [.. services], pvcs, pods, bound);
    }
}

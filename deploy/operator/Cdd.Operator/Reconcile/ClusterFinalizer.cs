using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// The finalizer <c>cdd.io/mysqlcluster</c>: added before anything is created; when the cluster is deleted, its pods go
/// first, and once none is left (a terminating pod still uses its address) the members' address bindings
/// (version-checked), the PVCs and the Services, then the finalizer itself. Only objects owned by the cluster's uid.
/// </summary>
internal sealed class ClusterFinalizer(IKubernetes client, MySqlClusterApi clusters, IMemberAddresses addresses)
{
    public static bool Has(JsonObject cluster) =>
        (cluster["metadata"]!["finalizers"] as JsonArray)?.Any(f => f?.GetValue<string>() == MySqlClusterApi.Finalizer) == true;

    /// <summary>The cluster with the finalizer added (written when it was missing).</summary>
    public async Task<JsonObject> EnsureAsync(JsonObject cluster, CancellationToken ct)
    {
        if (Has(cluster)) return cluster;
        var meta = (JsonObject)cluster["metadata"]!;
        var finalizers = meta["finalizers"] as JsonArray ?? [];
        finalizers.Add(MySqlClusterApi.Finalizer);
        meta["finalizers"] = finalizers;
        return await clusters.ReplaceAsync(cluster, ct);
    }

    public async Task<ReconcileOutcome> FinalizeAsync(JsonObject cluster, CancellationToken ct)
    {
        string ns = cluster["metadata"]!["namespace"]!.GetValue<string>(), name = cluster["metadata"]!["name"]!.GetValue<string>();
        string uid = cluster["metadata"]!["uid"]!.GetValue<string>();
        if (!Has(cluster)) return ReconcileOutcome.Gone;
        string selector = $"{MemberNames.ClusterLabel}={name}";
        foreach (var p in (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Where(o => OwnedBy(o.Metadata, uid)))
            await KubeWrites.DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPodAsync(p.Metadata.Name, ns, cancellationToken: ct));
        // The members' addresses go once no member pod is left (a terminating pod still uses its address).
        if ((await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Any(o => OwnedBy(o.Metadata, uid)))
            return ReconcileOutcome.Requeue;
        if (cluster["spec"]?["network"]?["pool"] is JsonValue pv && pv.TryGetValue<string>(out var pool) && pool.Length > 0
            && await addresses.ReleaseAsync(ns, name, pool, ct) > 0)
            return ReconcileOutcome.Requeue;
        foreach (var c in (await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Where(o => OwnedBy(o.Metadata, uid)))
            await KubeWrites.DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(c.Metadata.Name, ns, cancellationToken: ct));
        foreach (var s in (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Where(o => OwnedBy(o.Metadata, uid)))
            await KubeWrites.DeleteOrSkip(() => client.CoreV1.DeleteNamespacedServiceAsync(s.Metadata.Name, ns, cancellationToken: ct));
        var finalizers = (JsonArray)cluster["metadata"]!["finalizers"]!;
        foreach (var f in finalizers.Where(f => f?.GetValue<string>() == MySqlClusterApi.Finalizer).ToList()) finalizers.Remove(f);
        await clusters.ReplaceAsync(cluster, ct);
        return ReconcileOutcome.Gone;
    }

    static bool OwnedBy(V1ObjectMeta meta, string uid) => meta.OwnerReferences?.Any(o => o.Uid == uid) == true;
}

using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Placement;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>What one reconcile pass concluded: done, or run again later (waiting for something, e.g. no room to place).</summary>
public enum ReconcileOutcome { Converged, Requeue, Gone }

/// <summary>
/// Brings one MySQLCluster to its spec. Stateless between calls (everything is read back from the API server), so a
/// restarted operator, or two passes racing, converge to the same objects: names are deterministic and a create that
/// answers 409 means the object is already there. One pass:
/// <list type="number">
/// <item>cluster gone: nothing to do; cluster deleting: delete its pods, PVCs and Service, then drop the finalizer;</item>
/// <item>add the finalizer <c>cdd.io/mysqlcluster</c> when missing (before creating anything);</item>
/// <item>create the headless Service and every member's PVC when missing;</item>
/// <item>place the members that have no pod with the <see cref="Planner"/> over the live node inventory (Node objects,
///   see <see cref="NodeInventoryReader"/>, and every member pod of every cluster) and create their pods pinned to the
///   chosen nodes;</item>
/// <item>when every member has a pod and the primary's host trips one of the cluster's circuit breakers, move the
///   PRIMARY role to the secondary <see cref="Planner.DecidePrimaryMove"/> chooses, through the
///   <see cref="IPrimaryPromoter"/> (without one the decision is only reported);</item>
/// <item>write <c>/status</c>: members with node, role, phase; readyMembers; primary; conditions Placed, Ready and
///   PrimaryHostHealthy.</item>
/// </list>
/// Scaling down deletes the pods of ordinals at or above spec.members (their PVCs stay until the cluster goes).
/// </summary>
public sealed partial class MySqlClusterReconciler(IKubernetes client, IPrimaryPromoter? promoter = null, IMemberAddresses? addresses = null,
    PrimaryTracker? tracker = null, IMemberSettings? settings = null)
{
    readonly MySqlClusterApi _clusters = new(client);
    readonly IMemberAddresses _addresses = addresses ?? new KubeMemberAddresses(client);

    public MySqlClusterApi Clusters => _clusters;

    public async Task<ReconcileOutcome> ReconcileAsync(string ns, string name, CancellationToken ct)
    {
        var cluster = await _clusters.GetAsync(ns, name, ct);
        var meta = cluster?["metadata"] as JsonObject;
        if (cluster is null || meta!["deletionTimestamp"] is not null)
        {
            tracker?.Forget(ns, name);
            return cluster is null ? ReconcileOutcome.Gone : await FinalizeAsync(cluster, ct);
        }

        if (!HasFinalizer(cluster))
        {
            var finalizers = meta["finalizers"] as JsonArray ?? [];
            finalizers.Add(MySqlClusterApi.Finalizer);
            meta["finalizers"] = finalizers;
            cluster = await _clusters.ReplaceAsync(cluster, ct);
        }

        ClusterSpec spec;
        try
        {
            spec = ClusterSpec.Parse(cluster);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            await WriteStatusAsync(ns, name, Status(cluster, "Pending", [], 0, null, ("Placed", false, "InvalidSpec", e.Message), ("Ready", false, "InvalidSpec", e.Message)), ct);
            return ReconcileOutcome.Converged;
        }

        // Lists of this cluster's own objects first, so a converged cluster costs three LISTs and no writes; the whole
        // inventory (every member pod, every node) is read only when something must be placed or a primary judged.
        string own = $"{MemberObjects.ClusterLabel}={spec.Name}";
        var services = (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: own, cancellationToken: ct)).Items;
        if (!services.Any(x => x.Metadata.Name == spec.Name))
            await CreateOrSkip(() => client.CoreV1.CreateNamespacedServiceAsync(MemberObjects.HeadlessService(spec), ns, cancellationToken: ct));
        if (!services.Any(x => x.Metadata.Name == MemberObjects.PrimaryServiceName(spec.Name)))
            await CreateOrSkip(() => client.CoreV1.CreateNamespacedServiceAsync(MemberObjects.PrimaryService(spec), ns, cancellationToken: ct));
        // PVCs are made with their pods (they name the pod's node); an existing one may pin its member to a node.
        var pvcs = (await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: own, cancellationToken: ct)).Items
            .ToDictionary(x => x.Metadata.Name, StringComparer.Ordinal);

        var mine = OwnPods((await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: own, cancellationToken: ct)).Items, spec);
        var missing = Enumerable.Range(0, spec.Members).Where(i => !mine.ContainsKey(i)).ToList();
        string? placementFailure = null;
        // A member's pod carries its address; the pool's bindings are read only when a member has no pod (or a pod made
        // without the annotation), so a converged pass does not LIST a pool that every cluster may share.
        var addresses = new Dictionary<int, IPAddress>();
        foreach (var (ordinal, pod) in mine)
            if (ordinal < spec.Members && MemberObjects.Address(pod) is { } known) addresses[ordinal] = known;
        if (Enumerable.Range(0, spec.Members).Any(i => !addresses.ContainsKey(i)))
            foreach (var (ordinal, bound) in await _addresses.ListAsync(ns, spec.Name, spec.Pool, ct))
                addresses.TryAdd(ordinal, bound);
        try
        {
            // A member made before its binding existed (or whose binding was deleted by hand) is bound where it runs.
            foreach (var (ordinal, pod) in mine)
                if (ordinal < spec.Members && !addresses.ContainsKey(ordinal) && pod.Spec?.NodeName is { } at)
                    addresses[ordinal] = await _addresses.BindAsync(spec, ordinal, at, ct);
        }
        catch (MemberAddressException e)
        {
            placementFailure = e.Message;
        }
        if (missing.Count > 0 && placementFailure is null)
            (mine, placementFailure) = await PlaceMissingAsync(spec, missing, addresses, pvcs, ct);

        // Scaled down: members above spec.members go, highest ordinal first (MGR expels them; a majority of the old
        // group stays because the sizes are odd and the survivors are the majority). Their PVCs stay, as a
        // StatefulSet's do, and go with the cluster.
        foreach (var (ordinal, extra) in mine.Where(kv => kv.Key >= spec.Members && kv.Value.Metadata.DeletionTimestamp is null).OrderByDescending(kv => kv.Key))
            await DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPodAsync(extra.Metadata.Name, ns, cancellationToken: ct));

        // The primary watcher follows the members that exist; its condition says whether roles can be reported at all.
        var tracked = tracker is not null && mine.Count > 0 ? await tracker.TrackAsync(spec, addresses, ct) : ((string, bool, string, string)?)null;

        var primaryCondition = missing.Count == 0 ? await CheckPrimaryHostAsync(spec, mine, addresses, ct) : null;

        var settingsCondition = settings is null ? null : await ApplySettingsAsync(spec, mine, addresses, ct);
        var states = tracker?.States(spec);
        (string Type, bool Status, string Reason, string Message)? rollCondition = missing.Count == 0 && placementFailure is null ? await RollPodsAsync(spec, mine, addresses, states, ct) : null;

        var members = new JsonArray();
        int ready = 0;
        string? primary = null;
        for (int i = 0; i < spec.Members; i++)
        {
            var m = new JsonObject { ["name"] = MemberObjects.PodName(spec.Name, i) };
            if (addresses.TryGetValue(i, out var ip)) m["ip"] = ip.ToString();
            if (states is not null && states.TryGetValue(MemberObjects.PodName(spec.Name, i), out var state) && MemberStates.Contains(state)) m["state"] = state;
            if (mine.TryGetValue(i, out var pod))
            {
                m["node"] = pod.Spec.NodeName;
                var role = MemberObjects.Role(pod);
                m["role"] = role == MemberRole.Primary ? "PRIMARY" : "SECONDARY";
                if (role == MemberRole.Primary) primary = pod.Spec.NodeName;
                string phase = pod.Metadata.DeletionTimestamp is not null ? "Pending"
                    : pod.Status?.Phase switch { "Running" => "Running", "Failed" => "Failed", _ => "Creating" };
                if (phase == "Running") ready++;
                m["phase"] = phase;
            }
            else m["phase"] = "Pending";
            members.Add(m);
        }
        // A member whose pod is still terminating is not placed yet: its replacement comes once the name is free.
        bool allPlaced = placementFailure is null
            && mine.Count(kv => kv.Key < spec.Members && kv.Value.Metadata.DeletionTimestamp is null) == spec.Members;
        string clusterPhase = placementFailure is not null ? (mine.Count == 0 ? "Pending" : "Degraded")
            : ready == spec.Members ? "Running" : "Creating";
        var status = Status(cluster, clusterPhase, members, ready, primary,
            allPlaced ? ("Placed", true, "Placed", $"{spec.Members} member(s) placed on distinct nodes")
                : ("Placed", false, placementFailure is null ? "Waiting" : "Unplaceable", placementFailure ?? "waiting for member pods to be replaced"),
            ready == spec.Members ? ("Ready", true, "AllMembersRunning", $"{ready}/{spec.Members} members running")
                : ("Ready", false, "MembersNotRunning", $"{ready}/{spec.Members} members running"),
            primaryCondition, tracked, settingsCondition, rollCondition);
        await WriteStatusAsync(ns, name, status, ct);
        return allPlaced && settingsCondition?.Status != false && rollCondition?.Status != false ? ReconcileOutcome.Converged : ReconcileOutcome.Requeue;
    }

    /// <summary>The MEMBER_STATE values the CRD's status accepts.</summary>
    static readonly HashSet<string> MemberStates = new(StringComparer.Ordinal) { "ONLINE", "RECOVERING", "OFFLINE", "ERROR", "UNREACHABLE" };

    static bool HasFinalizer(JsonObject cluster) =>
        (cluster["metadata"]!["finalizers"] as JsonArray)?.Any(f => f?.GetValue<string>() == MySqlClusterApi.Finalizer) == true;

    /// <summary>This cluster's member pods by ordinal: same namespace, cdd.io/cluster label, a member name, owned by this cluster's uid.</summary>
    static Dictionary<int, V1Pod> OwnPods(IEnumerable<V1Pod> pods, ClusterSpec spec)
    {
        var own = new Dictionary<int, V1Pod>();
        foreach (var p in pods)
        {
            if (p.Metadata.NamespaceProperty != spec.Namespace || MemberObjects.Value(p.Metadata.Labels, MemberObjects.ClusterLabel) != spec.Name) continue;
            if (MemberObjects.Ordinal(spec.Name, p.Metadata.Name) is { } i) own[i] = p;
        }
        return own;
    }

    async Task<ReconcileOutcome> FinalizeAsync(JsonObject cluster, CancellationToken ct)
    {
        string ns = cluster["metadata"]!["namespace"]!.GetValue<string>(), name = cluster["metadata"]!["name"]!.GetValue<string>();
        string uid = cluster["metadata"]!["uid"]!.GetValue<string>();
        if (HasFinalizer(cluster))
        {
            string selector = $"{MemberObjects.ClusterLabel}={name}";
            foreach (var p in (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Where(o => OwnedBy(o.Metadata, uid)))
                await DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPodAsync(p.Metadata.Name, ns, cancellationToken: ct));
            // The members' addresses go once no member pod is left (a terminating pod still uses its address).
            if ((await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Any(o => OwnedBy(o.Metadata, uid)))
                return ReconcileOutcome.Requeue;
            if (cluster["spec"]?["network"]?["pool"] is JsonValue pv && pv.TryGetValue<string>(out var pool) && pool.Length > 0
                && await _addresses.ReleaseAsync(ns, name, pool, ct) > 0)
                return ReconcileOutcome.Requeue;
            foreach (var c in (await client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Where(o => OwnedBy(o.Metadata, uid)))
                await DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(c.Metadata.Name, ns, cancellationToken: ct));
            foreach (var s in (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct)).Items.Where(o => OwnedBy(o.Metadata, uid)))
                await DeleteOrSkip(() => client.CoreV1.DeleteNamespacedServiceAsync(s.Metadata.Name, ns, cancellationToken: ct));
            var finalizers = (JsonArray)cluster["metadata"]!["finalizers"]!;
            foreach (var f in finalizers.Where(f => f?.GetValue<string>() == MySqlClusterApi.Finalizer).ToList()) finalizers.Remove(f);
            await _clusters.ReplaceAsync(cluster, ct);
        }
        return ReconcileOutcome.Gone;
    }

    static bool OwnedBy(V1ObjectMeta meta, string uid) => meta.OwnerReferences?.Any(o => o.Uid == uid) == true;

    static JsonObject Status(JsonObject cluster, string phase, JsonArray members, int ready, string? primary,
        params (string Type, bool Status, string Reason, string Message)?[] optional)
    {
        var conditions = optional.OfType<(string Type, bool Status, string Reason, string Message)>().ToList();
        var old = cluster["status"]?["conditions"] as JsonArray;
        long? generation = cluster["metadata"]!["generation"]?.GetValue<long>();
        var conds = new JsonArray();
        foreach (var (type, status, reason, message) in conditions)
        {
            string s = status ? "True" : "False";
            var prev = old?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
            string since = prev?["status"]?.GetValue<string>() == s && prev["lastTransitionTime"]?.GetValue<string>() is { } t
                ? t : DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
            var c = new JsonObject { ["type"] = type, ["status"] = s, ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = since };
            if (generation is { } g) c["observedGeneration"] = g;
            conds.Add(c);
        }
        var st = new JsonObject { ["phase"] = phase, ["readyMembers"] = ready, ["members"] = members, ["conditions"] = conds };
        if (generation is { } gen) st["observedGeneration"] = gen;
        if (primary is not null) st["primary"] = primary;
        return st;
    }

    /// <summary>PUT /status on the freshest object; a 409 (someone wrote in between) reads again and retries.</summary>
    async Task WriteStatusAsync(string ns, string name, JsonObject status, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            var now = await _clusters.GetAsync(ns, name, ct);
            if (now is null) return;
            if (JsonNode.DeepEquals(now["status"], status)) return;
            now["status"] = status.DeepClone();
            try
            {
                await _clusters.ReplaceStatusAsync(now, ct);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 4)
            {
            }
        }
    }

    static async Task CreateOrSkip<T>(Func<Task<T>> create)
    {
        try
        {
            await create();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Already there: created by an earlier pass or a previous operator instance. Names are deterministic.
        }
    }

    static async Task DeleteOrSkip<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}

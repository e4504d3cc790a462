using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Placement;
using Cdd.Operator.Plan;
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
public sealed class MySqlClusterReconciler(IKubernetes client, IPrimaryPromoter? promoter = null, IMemberAddresses? addresses = null,
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

    /// <summary>
    /// The PrimaryHostHealthy condition, once MGR has a primary among the members: one GET of its node answers the
    /// common case (no breaker tripped); otherwise the planner over the live inventory decides whether to move the role.
    /// </summary>
    async Task<(string Type, bool Status, string Reason, string Message)?> CheckPrimaryHostAsync(ClusterSpec spec, Dictionary<int, V1Pod> mine, Dictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        if (mine.Where(kv => kv.Key < spec.Members).Select(kv => kv.Value).FirstOrDefault(p => MemberObjects.Role(p) == MemberRole.Primary) is not { Spec.NodeName: { } primaryNode })
            return null;
        V1Node? node = null;
        try { node = await client.CoreV1.ReadNodeAsync(primaryNode, cancellationToken: ct); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
        var inv = node is null ? null : NodeInventoryReader.Read(node, 0, 0);
        if (inv is not null && spec.Request.Breakers.Tripped(inv.Pressure) is null)
            return ("PrimaryHostHealthy", true, "NoBreakerTripped", $"primary host \"{primaryNode}\" trips no breaker");
        var allMembers = (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: MemberObjects.ClusterLabel, cancellationToken: ct)).Items;
        var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items;
        var (planner, _) = LiveInventory.Planner(nodes, allMembers, spec);
        return planner is null ? null : await MovePrimaryAsync(planner, spec, OwnPods(allMembers, spec), addresses, ct);
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

    /// <summary>The primary-host check: Stay, or promote the chosen secondary; the outcome as the PrimaryHostHealthy condition.</summary>
    async Task<(string, bool, string, string)?> MovePrimaryAsync(Planner planner, ClusterSpec spec, Dictionary<int, V1Pod> mine, Dictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        var move = planner.DecidePrimaryMove(spec.Key, spec.Request.Breakers);
        switch (move.Kind)
        {
            case PrimaryMoveKind.NoPrimary:
                return null; // MGR has not reported a primary (yet): nothing to judge
            case PrimaryMoveKind.Stay:
                return ("PrimaryHostHealthy", true, "NoBreakerTripped", move.Reason);
            case PrimaryMoveKind.NoHealthySecondary:
                return ("PrimaryHostHealthy", false, "NoHealthySecondary", move.Reason);
        }
        var (ordinal, target) = mine.Where(kv => kv.Key < spec.Members).First(kv => kv.Value.Spec.NodeName == move.To);
        if (promoter is null) return ("PrimaryHostHealthy", false, "MoveNotExecuted", $"{move.Reason} (no promoter configured)");
        if (!addresses.TryGetValue(ordinal, out var targetIp))
            return ("PrimaryHostHealthy", false, "MoveNotExecuted", $"{move.Reason} ({target.Metadata.Name} has no bound address)");
        await promoter.PromoteAsync(spec, target.Metadata.Name, targetIp.ToString(), ct);
        return ("PrimaryHostHealthy", false, "PrimaryMoved", $"{move.Reason}: group_replication_set_as_primary() on {target.Metadata.Name}");
    }

    /// <summary>
    /// Restarts the members whose pod runs another image or other requests than the spec (<see cref="MemberObjects.RunsSpec"/>),
    /// one at a time and only while the group is whole: every member's pod running and, where the watcher reports
    /// states, ONLINE. Secondaries go first; when only the PRIMARY is left, the role is handed to an up-to-date
    /// secondary with the promoter and the old primary restarts once the watcher has seen the move. A deleted member
    /// is made again by the next pass, on the node holding its volume, with the spec's image and requests.
    /// </summary>
    async Task<(string Type, bool Status, string Reason, string Message)> RollPodsAsync(ClusterSpec spec, Dictionary<int, V1Pod> mine,
        Dictionary<int, IPAddress> addresses, IReadOnlyDictionary<string, string>? states, CancellationToken ct)
    {
        const string Type = "PodsUpToDate";
        var members = Enumerable.Range(0, spec.Members).Select(i => mine[i]).ToList();
        var stale = members.Where(p => !MemberObjects.RunsSpec(spec, p)).ToList();
        if (stale.Count == 0) return (Type, true, "UpToDate", $"every member runs {spec.Image} with the spec's requests");
        bool known = states is { Count: > 0 };
        var notReady = members.Where(p => p.Metadata.DeletionTimestamp is not null || p.Status?.Phase != "Running"
            || (known && states!.GetValueOrDefault(p.Metadata.Name) != "ONLINE")).Select(p => p.Metadata.Name).ToList();
        if (notReady.Count > 0)
            return (Type, false, "Waiting", $"{stale.Count} member(s) to restart; waiting for {string.Join(", ", notReady)} to be running{(known ? " and ONLINE" : "")}");

        var next = stale.FirstOrDefault(p => MemberObjects.Role(p) != MemberRole.Primary);
        if (next is null && spec.Members > 1)
        {
            // Only the primary is left: hand its role over first, so writers move before it stops.
            var target = members.FirstOrDefault(p => MemberObjects.RunsSpec(spec, p) && MemberObjects.Role(p) != MemberRole.Primary);
            int ordinal = target is null ? -1 : MemberObjects.Ordinal(spec.Name, target.Metadata.Name)!.Value;
            if (promoter is null || target is null || !addresses.TryGetValue(ordinal, out var ip))
                return (Type, false, "SwitchoverNotPossible", $"the PRIMARY {stale[0].Metadata.Name} runs an old spec and {(promoter is null ? "no promoter is configured" : "no up-to-date secondary can take its role")}");
            await promoter.PromoteAsync(spec, target.Metadata.Name, ip.ToString(), ct);
            return (Type, false, "Switchover", $"PRIMARY role handed to {target.Metadata.Name}; {stale[0].Metadata.Name} restarts once the move is seen");
        }
        next ??= stale[0];
        await DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPodAsync(next.Metadata.Name, spec.Namespace, cancellationToken: ct));
        return (Type, false, "Restarting", $"restarting {next.Metadata.Name} to run {spec.Image}; {stale.Count - 1} more after it");
    }

    /// <summary>
    /// Rolls the dynamic MGR settings (<see cref="MemberObjects.DynamicSettings"/>) out to the running members whose
    /// <see cref="MemberObjects.SettingsAnnotation"/> differs: secondaries first, the primary last, one member at a time,
    /// stopping at the first failure (the next pass resumes). Nothing happens until every member has its address.
    /// </summary>
    async Task<(string Type, bool Status, string Reason, string Message)?> ApplySettingsAsync(ClusterSpec spec, Dictionary<int, V1Pod> mine, Dictionary<int, IPAddress> addresses, CancellationToken ct)
    {
        if (Enumerable.Range(0, spec.Members).Any(i => !addresses.ContainsKey(i))) return null;
        int applied = 0;
        var order = mine.Where(kv => kv.Key < spec.Members && kv.Value.Metadata.DeletionTimestamp is null && kv.Value.Status?.Phase == "Running")
            .OrderBy(kv => MemberObjects.Role(kv.Value) == MemberRole.Primary).ThenBy(kv => kv.Key);
        foreach (var (ordinal, pod) in order)
        {
            var desired = MemberObjects.DynamicSettings(spec, ordinal, addresses);
            string text = MemberObjects.SettingsText(desired);
            if (MemberObjects.Value(pod.Metadata.Annotations, MemberObjects.SettingsAnnotation) == text) continue;
            try
            {
                await settings!.ApplyAsync(spec, pod.Metadata.Name, addresses[ordinal], desired, ct);
            }
            catch (MemberSettingsException e)
            {
                return ("SettingsApplied", false, "ApplyFailed", applied == 0 ? e.Message : $"{applied} member(s) updated, then {e.Message}");
            }
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [MemberObjects.SettingsAnnotation] = text } } };
            await client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), pod.Metadata.Name, spec.Namespace, cancellationToken: ct);
            applied++;
        }
        return ("SettingsApplied", true, applied == 0 ? "UpToDate" : "Applied",
            applied == 0 ? "every running member has the current seeds and weight" : $"seeds and weight applied to {applied} running member(s)");
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

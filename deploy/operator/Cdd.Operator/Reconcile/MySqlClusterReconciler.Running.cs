using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Placement;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>Keeping running members right: the primary's host, dynamic MGR settings, pods on an old spec.</summary>
public sealed partial class MySqlClusterReconciler
{
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
}

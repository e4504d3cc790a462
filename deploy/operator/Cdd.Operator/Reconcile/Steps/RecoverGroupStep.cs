using Cdd.Operator.Model;
using Cdd.Operator.Recovery;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// The GroupAvailable condition: whether MGR serves the group, and what the operator did when it did not
/// (<see cref="GroupRecovery.Decide"/>). While the primary tracker reports a majority ONLINE it answers from that,
/// without a query. Otherwise, once every member's pod runs, it asks every member: a complete outage is rebooted from
/// the member whose transactions contain every other's (or refused with the sets), and a lost quorum waits for the
/// annotation <see cref="GroupRecovery.ForceQuorumAnnotation"/>, which is removed once it was acted on. Null while a
/// member has no running pod, or before the tracker has seen the group.
/// </summary>
internal sealed class RecoverGroupStep(IGroupRecovery recovery, MySqlClusterApi clusters) : IReconcileStep
{
    public const string Type = "GroupAvailable";

    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        if (snapshot.MissingAtRead.Count > 0 || !snapshot.AllBound) return null;
        var pods = Enumerable.Range(0, spec.Members).Select(i => snapshot.Pods[i]).ToList();
        var states = snapshot.States;
        int online = states.Values.Count(s => s == "ONLINE");
        if (online * 2 > spec.Members) return new(Type, true, "Online", $"{online} of {spec.Members} members ONLINE");
        if (pods.Any(p => p.Metadata.DeletionTimestamp is not null || p.Status?.Phase != "Running")) return null;
        if (recovery.Unavailable is { } why) return new(Type, false, Condition.NotConfigured, why);

        var members = pods.Select((p, i) => new RecoveryMember(p.Metadata.Name, snapshot.Addresses[i])).ToList();
        var facts = await recovery.ReadAsync(spec, members, pass.Ct);
        string? force = snapshot.Cluster["metadata"]?["annotations"]?[GroupRecovery.ForceQuorumAnnotation]?.GetValue<string>();
        var decision = GroupRecovery.Decide(facts, spec.Uid, force);
        switch (decision.Action)
        {
            case RecoveryAction.None:
                return facts.Any(f => f.State == "ONLINE") ? new(Type, true, "Online", decision.Message) : null;
            case RecoveryAction.Wait:
                return new(Type, false, "Waiting", decision.Message);
            case RecoveryAction.Refuse:
                return new(Type, false, "NoMostAdvancedMember", decision.Message);
            case RecoveryAction.QuorumLost:
                return new(Type, false, "QuorumLost", decision.Message);
            case RecoveryAction.Reboot:
                try
                {
                    await recovery.RebootAsync(spec, members, decision.Member!, pass.Ct);
                    return new(Type, true, "Rebooted", decision.Message);
                }
                catch (GroupRecoveryException e)
                {
                    return new(Type, false, "RebootFailed", $"{decision.Message}: {e.Message}");
                }
            default:
                try
                {
                    string forced = await recovery.ForceQuorumAsync(spec, members, decision.Member!, pass.Ct);
                    await DropAnnotationAsync(snapshot, pass.Ct);
                    return new(Type, true, "QuorumForced", $"{decision.Message}: group_replication_force_members = {forced}; {GroupRecovery.ForceQuorumAnnotation} removed");
                }
                catch (GroupRecoveryException e)
                {
                    // One-shot either way: forcing again on every pass could split the group; a person re-annotates.
                    await DropAnnotationAsync(snapshot, pass.Ct);
                    return new(Type, false, "ForceFailed", $"{decision.Message}: {e.Message}; {GroupRecovery.ForceQuorumAnnotation} removed");
                }
        }
    }

    /// <summary>The annotation is one-shot: removed (version-checked) once acted on; a conflict is left to the next pass.</summary>
    async Task DropAnnotationAsync(ClusterSnapshot snapshot, CancellationToken ct)
    {
        var cluster = snapshot.Cluster.DeepClone().AsObject();
        if (cluster["metadata"]?["annotations"] is System.Text.Json.Nodes.JsonObject a && a.Remove(GroupRecovery.ForceQuorumAnnotation))
            try { await clusters.ReplaceAsync(cluster, ct); }
            catch (k8s.Autorest.HttpOperationException e) when (Cdd.Ipam.Kube.ApiFailure.IsConflict(e)) { }
    }
}

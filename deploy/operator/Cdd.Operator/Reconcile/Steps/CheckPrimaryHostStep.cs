using Cdd.Ipam.Kube;
using Cdd.Operator.Model;
using Cdd.Operator.Placement;
using Cdd.Operator.Placement.Live;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// The PrimaryHostHealthy condition, once every member had a pod when the pass began and MGR has a primary among them
/// (null before): one GET of the primary's node answers the common case (no breaker tripped); otherwise the planner
/// over the live inventory decides whether to move the role (<see cref="Planner.DecidePrimaryMove"/>) and the promoter
/// moves it to the chosen secondary.
/// </summary>
internal sealed class CheckPrimaryHostStep(IKubernetes client, IPrimaryPromoter promoter) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        if (snapshot.MissingAtRead.Count > 0) return null;
        if (snapshot.Pods.Where(kv => kv.Key < spec.Members).Select(kv => kv.Value).FirstOrDefault(p => MemberNames.Role(p) == MemberRole.Primary) is not { Spec.NodeName: { } primaryNode })
            return null;
        V1Node? node = null;
        try { node = await client.CoreV1.ReadNodeAsync(primaryNode, cancellationToken: pass.Ct); }
        catch (Exception e) when (ApiFailure.IsNotFound(e)) { }
        var inv = node is null ? null : NodeInventoryReader.Read(node, 0, 0);
        if (inv is not null && spec.Request.Breakers.Tripped(inv.Pressure) is null)
            return Healthy($"primary host \"{primaryNode}\" trips no breaker");
        var inventory = await pass.InventoryAsync();
        var (planner, _) = LiveInventory.Planner(inventory.Nodes, inventory.MemberPods, spec);
        return planner is null ? null : await MoveAsync(planner, snapshot, ClusterSnapshot.OwnPods(inventory.MemberPods, spec), pass.Ct);
    }

    /// <summary>The primary-host check: stay, or promote the chosen secondary.</summary>
    async Task<Condition?> MoveAsync(Planner planner, ClusterSnapshot snapshot, Dictionary<int, V1Pod> mine, CancellationToken ct)
    {
        var spec = snapshot.Spec;
        var move = planner.DecidePrimaryMove(spec.Key, spec.Request.Breakers);
        switch (move.Kind)
        {
            case PrimaryMoveKind.NoPrimary:
                return null; // MGR has not reported a primary (yet): nothing to judge
            case PrimaryMoveKind.Stay:
                return Healthy(move.Reason);
            case PrimaryMoveKind.NoHealthySecondary:
                return Unhealthy("NoHealthySecondary", move.Reason);
        }
        var (ordinal, target) = mine.Where(kv => kv.Key < spec.Members).First(kv => kv.Value.Spec.NodeName == move.To);
        if (promoter.Unavailable is { } why) return Unhealthy("MoveNotExecuted", $"{move.Reason} ({why})");
        if (!snapshot.Addresses.TryGetValue(ordinal, out var targetIp))
            return Unhealthy("MoveNotExecuted", $"{move.Reason} ({target.Metadata.Name} has no bound address)");
        await promoter.PromoteAsync(spec, target.Metadata.Name, targetIp.ToString(), ct);
        return Unhealthy("PrimaryMoved", $"{move.Reason}: group_replication_set_as_primary() on {target.Metadata.Name}");
    }

    static Condition Healthy(string message) => new(Condition.PrimaryHostHealthy, true, "NoBreakerTripped", message);
    static Condition Unhealthy(string reason, string message) => new(Condition.PrimaryHostHealthy, false, reason, message);
}

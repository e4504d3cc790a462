using Cdd.Operator.Model;
using Cdd.Operator.Placement;
using k8s;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Restarts the members whose pod runs another image or other requests than the spec (<see cref="MemberManifests.RunsSpec"/>),
/// one at a time and only while the group is whole: every member's pod running and, where the watcher reports
/// states, ONLINE. Secondaries go first; when only the PRIMARY is left, the role is handed to an up-to-date
/// secondary with the promoter and the old primary restarts once the watcher has seen the move. A deleted member
/// is made again by the next pass, on the node holding its volume, with the spec's image and requests. Null unless
/// every member had a pod when the pass began and placement found nothing unplaceable.
/// </summary>
internal sealed class RollPodsStep(IKubernetes client, IPrimaryPromoter promoter) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        if (snapshot.MissingAtRead.Count > 0 || pass.Find(Condition.Placed) is { Reason: "Unplaceable" }) return null;
        var members = Enumerable.Range(0, spec.Members).Select(i => snapshot.Pods[i]).ToList();
        var stale = members.Where(p => !MemberManifests.RunsSpec(spec, p)).ToList();
        if (stale.Count == 0) return Rolled(true, "UpToDate", $"every member runs {spec.Image} with the spec's requests");
        var states = snapshot.States;
        bool known = states.Count > 0;
        var notReady = members.Where(p => p.Metadata.DeletionTimestamp is not null || p.Status?.Phase != "Running"
            || (known && states.GetValueOrDefault(p.Metadata.Name) != "ONLINE")).Select(p => p.Metadata.Name).ToList();
        if (notReady.Count > 0)
            return Rolled(false, "Waiting", $"{stale.Count} member(s) to restart; waiting for {string.Join(", ", notReady)} to be running{(known ? " and ONLINE" : "")}");

        var next = stale.FirstOrDefault(p => MemberNames.Role(p) != MemberRole.Primary);
        if (next is null && spec.Members > 1)
        {
            // Only the primary is left: hand its role over first, so writers move before it stops.
            var target = members.FirstOrDefault(p => MemberManifests.RunsSpec(spec, p) && MemberNames.Role(p) != MemberRole.Primary);
            int ordinal = target is null ? -1 : MemberNames.Ordinal(spec.Name, target.Metadata.Name)!.Value;
            if (promoter.Unavailable is not null || target is null || !snapshot.Addresses.TryGetValue(ordinal, out var ip))
                return Rolled(false, "SwitchoverNotPossible", $"the PRIMARY {stale[0].Metadata.Name} runs an old spec and {promoter.Unavailable ?? "no up-to-date secondary can take its role"}");
            await promoter.PromoteAsync(spec, target.Metadata.Name, ip.ToString(), pass.Ct);
            return Rolled(false, "Switchover", $"PRIMARY role handed to {target.Metadata.Name}; {stale[0].Metadata.Name} restarts once the move is seen");
        }
        next ??= stale[0];
        await KubeWrites.DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPodAsync(next.Metadata.Name, spec.Namespace, cancellationToken: pass.Ct));
        return Rolled(false, "Restarting", $"restarting {next.Metadata.Name} to run {spec.Image}; {stale.Count - 1} more after it");
    }

    static Condition Rolled(bool status, string reason, string message) => new(Condition.PodsUpToDate, status, reason, message);
}

using Cdd.Operator.Model;
using Cdd.Operator.Primary;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Hands the members that exist to the primary tracker (its condition says whether roles can be reported at all; null
/// while the cluster has no pod) and gives the following steps the MEMBER_STATEs it last saw.
/// </summary>
internal sealed class TrackPrimaryStep(IPrimaryTracker tracker) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var tracked = snapshot.Pods.Count > 0 ? await tracker.TrackAsync(snapshot.Spec, snapshot.Addresses, pass.Ct) : null;
        // After tracking: a cluster whose Secret went missing is forgotten, and its old states with it.
        pass.Update(snapshot with { States = tracker.States(snapshot.Spec) });
        return tracked;
    }
}

using Cdd.Operator.Model;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// One concern of a reconcile pass (placing members, tracking the primary, rolling pods...): takes the snapshot as the
/// pass holds it and returns the condition it concludes, or null when it has nothing to report on this pass (its
/// condition then stays out of the status, e.g. PrimaryHostHealthy while MGR has no primary).
/// </summary>
internal interface IReconcileStep
{
    Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass);
}

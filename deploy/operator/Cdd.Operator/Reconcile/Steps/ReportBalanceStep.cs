using Cdd.Operator.Model;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>The PrimaryBalanced condition: the last move the global balance loop made for this cluster; null before any.</summary>
internal sealed class ReportBalanceStep(BalanceLedger ledger) : IReconcileStep
{
    public Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass) => Task.FromResult(ledger.For(snapshot.Spec.Key));
}

namespace Cdd.Operator.Reconcile;

/// <summary>What one reconcile pass concluded: done, or run again later (waiting for something, e.g. no room to place).</summary>
internal enum ReconcileOutcome { Converged, Requeue, Gone }

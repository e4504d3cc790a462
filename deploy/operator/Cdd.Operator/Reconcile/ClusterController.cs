namespace Cdd.Operator.Reconcile;

/// <summary>
/// Drives the reconciler: every <c>resync</c> it lists the MySQLClusters of all namespaces and queues each
/// (namespace, name); the queue hands keys out one at a time; a pass that throws or has to wait (unplaceable, pods being
/// replaced) is retried with exponential backoff, a converged one forgets its failures. No watches yet: changes are
/// seen at the next resync (default 10 s), or at a key's retry.
/// </summary>
public sealed class ClusterController(MySqlClusterReconciler reconciler, TimeProvider time, Backoff backoff, TimeSpan resync, TextWriter log)
{
    readonly WorkQueue<(string Ns, string Name)> _queue = new(backoff);
    DateTimeOffset _nextResync = DateTimeOffset.MinValue;

    public WorkQueue<(string Ns, string Name)> Queue => _queue;

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await StepAsync(ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return; // stopping: a request cut short by the cancellation is not a failure
            }
            var now = time.GetUtcNow();
            var wake = _queue.NextDue is { } due && due < _nextResync ? due : _nextResync;
            var delay = wake - now;
            if (delay > TimeSpan.Zero)
            {
                try { await Task.Delay(delay, time, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>One round: resync when due, then every key that is due now. Time comes from the TimeProvider only.</summary>
    public async Task StepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now >= _nextResync)
        {
            try
            {
                foreach (var c in await reconciler.Clusters.ListAsync(ct))
                    _queue.Add((c["metadata"]!["namespace"]!.GetValue<string>(), c["metadata"]!["name"]!.GetValue<string>()), now);
                _nextResync = now + resync;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.WriteLine($"cdd-operator: listing MySQLClusters failed: {e.Message}");
                _nextResync = now + backoff.Base;
            }
        }
        while (!ct.IsCancellationRequested && _queue.TryTake(time.GetUtcNow(), out var key))
        {
            bool ok;
            try
            {
                ok = await reconciler.ReconcileAsync(key.Ns, key.Name, ct) != ReconcileOutcome.Requeue;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.WriteLine($"cdd-operator: reconcile {key.Ns}/{key.Name} failed: {e.Message}");
                ok = false;
            }
            _queue.Done(key, ok, time.GetUtcNow());
        }
    }
}

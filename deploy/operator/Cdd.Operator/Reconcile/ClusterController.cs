using System.Collections.Concurrent;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// Drives the reconciler: every <c>resync</c> it lists the MySQLClusters of all namespaces and queues each
/// (namespace, name); the queue hands keys out one at a time; a pass that throws or has to wait (unplaceable, pods being
/// replaced) is retried with exponential backoff, a converged one forgets its failures. <see cref="Notify"/> (fed by
/// <see cref="ClusterWatcher"/>) queues a key at once and wakes the loop; the resync catches whatever a watch missed.
/// </summary>
internal sealed class ClusterController(MySqlClusterReconciler reconciler, TimeProvider time, Backoff backoff, TimeSpan resync, TextWriter log)
{
    readonly WorkQueue<(string Ns, string Name)> _queue = new(backoff);
    readonly ConcurrentQueue<(string Ns, string Name)> _notified = new();
    TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    DateTimeOffset _nextResync = DateTimeOffset.MinValue;

    /// <summary>Thread-safe: queue a key now (from a watch) and wake the loop.</summary>
    public void Notify((string Ns, string Name) key)
    {
        _notified.Enqueue(key);
        Volatile.Read(ref _wake).TrySetResult();
    }

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
            var wakeAt = _queue.NextDue is { } due && due < _nextResync ? due : _nextResync;
            var delay = wakeAt - now;
            var wake = Volatile.Read(ref _wake);
            var wakeTask = wake.Task;
            if (delay > TimeSpan.Zero && _notified.IsEmpty)
            {
                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var delayTask = Task.Delay(delay, time, sleep.Token);
                await Task.WhenAny(delayTask, wakeTask);
                sleep.Cancel();
                if (ct.IsCancellationRequested) return;
            }
            if (wakeTask.IsCompleted) Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
        }
    }

    /// <summary>One round: resync when due, then every key that is due now. Time comes from the TimeProvider only.</summary>
    public async Task StepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        while (_notified.TryDequeue(out var n)) _queue.Add(n, now);
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

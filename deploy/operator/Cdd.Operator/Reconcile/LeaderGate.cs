using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// Leader election through a coordination.k8s.io/v1 Lease (KubernetesClient's <see cref="LeaderElector"/>): only the
/// holder runs the work. Returns when leadership is lost (the work is cancelled and awaited first) or on cancellation;
/// the caller exits so that the Deployment restarts it and it campaigns again.
/// </summary>
internal static class LeaderGate
{
    public const string LeaseName = "cdd-operator";

    /// <summary>True when this instance led (and leadership then ended), false when it was cancelled before leading.</summary>
    public static async Task<bool> RunWhileLeadingAsync(IKubernetes client, string ns, string identity, Func<CancellationToken, Task> work,
        CancellationToken ct, TimeSpan? leaseDuration = null)
    {
        var duration = leaseDuration ?? TimeSpan.FromSeconds(15);
        var config = new LeaderElectionConfig(new LeaseLock(client, ns, LeaseName, identity))
        {
            LeaseDuration = duration,
            RenewDeadline = duration * 2 / 3,
            RetryPeriod = duration / 5,
        };
        using var elector = new LeaderElector(config);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task? running = null;
        elector.OnStartedLeading += () => running = Task.Run(() => work(leading.Token));
        elector.OnStoppedLeading += () => leading.Cancel();
        try
        {
            await elector.RunUntilLeadershipLostAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        leading.Cancel();
        if (running is null) return false;
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
        return true;
    }
}

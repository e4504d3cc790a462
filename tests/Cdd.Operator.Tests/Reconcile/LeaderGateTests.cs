using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>Leader election through a Lease on the in-process API server (KubernetesClient's LeaderElector).</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class LeaderGateTests
{
    [Fact]
    public async Task Only_the_lease_holder_runs_the_reconciler_and_cancelling_stops_it()
    {
        using var f = new ReconcileFixture();
        f.Server.Serve("coordination.k8s.io", "v1", "leases", "Lease");
        for (int i = 1; i <= 3; i++) f.AddNode($"node-{i}");
        f.CreateCluster("orders", 3);
        var leaderStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var converged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Server.Store.Changed += () => { if (f.Pods().Count == 3) converged.TrySetResult(); };
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var clientA = OperatorClient.Create(f.Kubeconfig);
        var clientB = OperatorClient.Create(f.Kubeconfig);
        bool bRan = false;
        try
        {
            var a = LeaderGate.RunWhileLeadingAsync(clientA, "kube-system", "operator-a", async ct =>
            {
                leaderStarted.TrySetResult();
                var c = new ClusterController(ReconcileFixture.Reconciler(clientA), TimeProvider.System, new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), TimeSpan.FromMilliseconds(200), TextWriter.Null);
                await c.RunAsync(ct);
            }, stopA.Token, leaseDuration: TimeSpan.FromSeconds(30));
            await leaderStarted.Task.WaitAsync(TimeSpan.FromMinutes(2)); // guard against a hang only
            var b = LeaderGate.RunWhileLeadingAsync(clientB, "kube-system", "operator-b", _ => { bRan = true; return Task.CompletedTask; },
                stopB.Token, leaseDuration: TimeSpan.FromSeconds(30));
            await converged.Task.WaitAsync(TimeSpan.FromMinutes(2));

            var lease = f.Server.Store.Get(new("coordination.k8s.io", "v1", "leases", "kube-system", LeaderGate.LeaseName, null));
            Assert.Equal("operator-a", lease["spec"]!["holderIdentity"]!.GetValue<string>());
            Assert.False(bRan);

            stopB.Cancel();
            Assert.False(await b);
            stopA.Cancel();
            Assert.True(await a);
            Assert.Equal(3, f.Pods().Count);
        }
        finally
        {
            clientA.Dispose();
            clientB.Dispose();
        }
    }
}

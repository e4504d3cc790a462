using Cdd.Operator.Model;
using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>The controller loop's steps under a hand-moved clock: no sleeping, no timed assertions.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ClusterControllerTests
{
    sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_step_reconciles_every_listed_cluster()
    {
        using var f = new ReconcileFixture();
        for (int i = 1; i <= 3; i++) f.AddNode($"node-{i}");
        f.CreateCluster("orders", 3);
        f.CreateCluster("billing", 1);
        var time = new ManualTime();
        var c = new ClusterController(f.NewReconciler(), time, new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), TimeSpan.FromSeconds(10), TextWriter.Null);

        await c.StepAsync(CancellationToken.None);

        Assert.Equal(4, f.Pods().Count);
        Assert.Equal(0, c.Queue.Count);
    }

    [Fact]
    public async Task An_unplaceable_cluster_is_retried_with_backoff_and_placed_once_nodes_appear()
    {
        using var f = new ReconcileFixture();
        f.AddNode("node-1");
        f.CreateCluster("orders", 3);
        var time = new ManualTime();
        var c = new ClusterController(f.NewReconciler(), time, new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(10), TextWriter.Null);

        await c.StepAsync(CancellationToken.None);
        Assert.Empty(f.Pods());
        Assert.Equal(1, c.Queue.Failures(("db", "orders")));
        Assert.Equal(time.Now.AddSeconds(1), c.Queue.NextDue);

        f.AddNode("node-2");
        f.AddNode("node-3");
        time.Now = time.Now.AddSeconds(1);
        await c.StepAsync(CancellationToken.None);

        Assert.Equal(3, f.Pods().Count);
        Assert.Equal(0, c.Queue.Failures(("db", "orders")));
        Assert.Equal(0, c.Queue.Count);
    }

    [Fact]
    public async Task A_failing_api_server_backs_off_and_a_later_step_converges()
    {
        using var f = new ReconcileFixture();
        for (int i = 1; i <= 3; i++) f.AddNode($"node-{i}");
        f.CreateCluster("orders", 3);
        var time = new ManualTime();
        var c = new ClusterController(f.NewReconciler(), time, new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(10), TextWriter.Null);
        await c.StepAsync(CancellationToken.None); // listed and converged
        f.DeletePod("orders-2");
        f.Server.Faults.Methods = new HashSet<string> { "POST" };
        f.Server.Faults.InternalErrorRate = 1;

        c.Queue.Add(("db", "orders"), time.Now);
        await c.StepAsync(CancellationToken.None);
        Assert.Equal(1, c.Queue.Failures(("db", "orders")));
        Assert.Equal(2, f.Pods().Count);

        f.Server.Faults.InternalErrorRate = 0;
        time.Now = time.Now.AddSeconds(1);
        await c.StepAsync(CancellationToken.None);

        Assert.Equal(["orders-0", "orders-1", "orders-2"], f.Pods().Select(p => p.Name()).Order());
        Assert.Equal(0, c.Queue.Failures(("db", "orders")));
    }

    [Fact]
    public async Task The_running_loop_converges_a_new_cluster_and_stops_on_cancellation()
    {
        using var f = new ReconcileFixture();
        for (int i = 1; i <= 3; i++) f.AddNode($"node-{i}");
        var converged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Server.Store.Changed += () =>
        {
            if (f.Cluster("orders")?["status"]?["members"]?.AsArray() is { Count: 3 } m && m.All(x => x!["node"] is not null)) converged.TrySetResult();
        };
        using var cts = new CancellationTokenSource();
        var c = new ClusterController(f.NewReconciler(), TimeProvider.System, new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), TimeSpan.FromMilliseconds(100), TextWriter.Null);
        var run = c.RunAsync(cts.Token);

        f.CreateCluster("orders", 3);
        await converged.Task.WaitAsync(TimeSpan.FromMinutes(2)); // a guard against a hang, not a timing assertion
        cts.Cancel();
        await run;

        Assert.Equal(3, f.Pods().Count);
    }

    [Fact]
    public async Task Watch_events_drive_reconciles_between_resyncs()
    {
        using var f = new ReconcileFixture();
        for (int i = 1; i <= 4; i++) f.AddNode($"node-{i}");
        using var cts = new CancellationTokenSource();
        var client = OperatorClient.Create(f.Kubeconfig);
        try
        {
            // The resync is an hour away: only the first list and the watches can bring anything about.
            var c = new ClusterController(ReconcileFixture.Reconciler(client), TimeProvider.System, new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), TimeSpan.FromHours(1), TextWriter.Null);
            var w = new ClusterWatcher(client, c.Notify, TimeSpan.FromMilliseconds(100), TimeProvider.System, TextWriter.Null);
            var run = Task.WhenAll(c.RunAsync(cts.Token), w.RunAsync(cts.Token));

            await WaitFor(f, () => f.Pods().Count == 0 && f.Server.Store.ResourceVersion > 0); // loop started
            f.CreateCluster("orders", 3);
            await WaitFor(f, () => f.Pods().Count == 3);
            var firstUid = f.Pod("orders-1")["metadata"]!["uid"]!.GetValue<string>();

            f.DeletePod("orders-1");
            await WaitFor(f, () => f.Pods().Any(p => p.Name() == "orders-1" && p["metadata"]!["uid"]!.GetValue<string>() != firstUid));
            Assert.Equal("db/orders-1", f.Pod("orders-1").Annotation(MemberNames.FixedIpAnnotation));

            cts.Cancel();
            await run;
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Completes when the condition holds, checked on every store change; the timeout only guards against a hang.</summary>
    static async Task WaitFor(ReconcileFixture f, Func<bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check() { try { if (condition()) done.TrySetResult(); } catch (Exception) { } }
        f.Server.Store.Changed += Check;
        try
        {
            Check();
            await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            f.Server.Store.Changed -= Check;
        }
    }
}

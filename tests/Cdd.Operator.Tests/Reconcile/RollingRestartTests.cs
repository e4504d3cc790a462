using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>
/// A spec change a pod cannot take in place (image, requests) rolled through the members one at a time: the reconciler
/// against the in-process API server, a recording promoter, and the test playing kubelet (pods running) and the primary
/// watcher (the role label moving).
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class RollingRestartTests
{
    static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>Three members placed on three nodes and running, orders-0 the primary.</summary>
    static async Task<(ReconcileFixture F, MySqlClusterReconciler R)> RunningAsync(IPrimaryPromoter? promoter = null)
    {
        var f = new ReconcileFixture();
        for (int i = 1; i <= 3; i++) f.AddNode($"node-{i}", zone: $"z{i}");
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler(promoter);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        foreach (var p in f.Pods()) f.MarkRunning(p.Name());
        f.LabelPrimary("orders-0");
        return (f, r);
    }

    static JsonObject Condition(ReconcileFixture f) =>
        f.Cluster("orders")!["status"]!["conditions"]!.AsArray().OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == "PodsUpToDate");

    static string Image(JsonObject pod) => pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>();

    static void SetImage(ReconcileFixture f, string image)
    {
        var c = f.Cluster("orders")!;
        c["spec"]!["mysql"]!["image"] = image;
        f.Server.Store.Update(ReconcileFixture.ClusterRoute("orders"), c);
    }

    [Fact]
    public async Task A_new_image_restarts_the_secondaries_one_at_a_time_then_moves_the_primary_role_before_the_old_primary_restarts()
    {
        var promoter = new RecordingPromoter();
        var (f, r) = await RunningAsync(promoter);
        using var _ = f;
        async Task<ReconcileOutcome> Pass() => await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        Assert.Equal(ReconcileOutcome.Converged, await Pass());
        Assert.Equal("True", Condition(f)["status"]!.GetValue<string>());
        var nodes = f.Pods().ToDictionary(p => p.Name(), p => p.NodeName());
        var addresses = nodes.Keys.ToDictionary(n => n, n => f.BoundAddress(n));

        SetImage(f, "mysql:8.4.3");
        Assert.Equal(ReconcileOutcome.Requeue, await Pass());
        Assert.DoesNotContain(f.Pods(), p => p.Name() == "orders-1"); // the first secondary goes
        Assert.Equal("Restarting", Condition(f)["reason"]!.GetValue<string>());

        await Pass(); // made again, with the new image, not running yet
        Assert.Equal("mysql:8.4.3", Image(f.Pod("orders-1")));
        await Pass();
        Assert.Equal(3, f.Pods().Count); // nothing else restarts while orders-1 is not running
        Assert.Equal("Waiting", Condition(f)["reason"]!.GetValue<string>());

        f.MarkRunning("orders-1");
        await Pass();
        Assert.DoesNotContain(f.Pods(), p => p.Name() == "orders-2");
        await Pass();
        f.MarkRunning("orders-2");
        Assert.Empty(promoter.Calls);

        await Pass(); // only the primary is left on the old image: its role moves first
        Assert.Equal(["orders-1"], promoter.Calls.Select(c => c.Pod));
        Assert.Equal("Switchover", Condition(f)["reason"]!.GetValue<string>());
        Assert.Equal("mysql:8.4", Image(f.Pod("orders-0")));

        f.LabelPrimary("orders-1"); // the watcher sees the new primary
        await Pass();
        Assert.DoesNotContain(f.Pods(), p => p.Name() == "orders-0");
        await Pass();
        f.MarkRunning("orders-0");
        Assert.Equal(ReconcileOutcome.Converged, await Pass());

        Assert.All(f.Pods(), p => Assert.Equal("mysql:8.4.3", Image(p)));
        Assert.Equal(nodes, f.Pods().ToDictionary(p => p.Name(), p => p.NodeName())); // back on the nodes holding their volumes
        Assert.Equal(addresses, nodes.Keys.ToDictionary(n => n, n => f.BoundAddress(n)));
        Assert.Equal("True", Condition(f)["status"]!.GetValue<string>());
        Assert.Single(promoter.Calls);
    }

    [Fact]
    public async Task Requests_given_in_another_unit_are_not_a_change()
    {
        var (f, r) = await RunningAsync();
        using var _ = f;
        var c = f.Cluster("orders")!;
        c["spec"]!["resources"]!["cpu"] = "2000m";
        c["spec"]!["resources"]!["memory"] = "8192Mi";
        f.Server.Store.Update(ReconcileFixture.ClusterRoute("orders"), c);

        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Equal(3, f.Pods().Count);
    }

    [Fact]
    public async Task Without_a_promoter_the_old_primary_is_not_stopped_and_the_status_says_why()
    {
        var (f, r) = await RunningAsync();
        using var _ = f;
        SetImage(f, "mysql:8.4.3");
        for (int round = 0; round < 8; round++) // both secondaries restart, then the primary is all that is left
        {
            await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
            foreach (var p in f.Pods()) f.MarkRunning(p.Name());
        }
        Assert.Equal("mysql:8.4.3", Image(f.Pod("orders-1")));
        Assert.Equal("mysql:8.4.3", Image(f.Pod("orders-2")));

        Assert.Equal("mysql:8.4", Image(f.Pod("orders-0")));
        Assert.Equal("SwitchoverNotPossible", Condition(f)["reason"]!.GetValue<string>());
        Assert.Contains("no promoter", Condition(f)["message"]!.GetValue<string>());
    }
}

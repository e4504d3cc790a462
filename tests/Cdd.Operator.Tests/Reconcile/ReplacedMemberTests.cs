using Cdd.Operator.Placement.Live;
using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>
/// Where a member whose pod is gone comes back: a node reaching the segment its address is bound in, and the node its
/// data volume is on. The reconciler against the in-process API server, one pass at a time.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ReplacedMemberTests
{
    static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task A_replaced_member_lands_on_a_node_that_reaches_the_segment_its_address_is_bound_in()
    {
        using var f = new ReconcileFixture();
        // Rack b's nodes (added below) are the emptiest, so the planner prefers them; only rack a reaches 10.1.0.0/24.
        f.AddNode("a-1", labels: new Dictionary<string, string> { ["rack"] = "a" });
        f.AddNode("a-2", labels: new Dictionary<string, string> { ["rack"] = "a" }, cpu: "8");
        f.AddNode("a-3", labels: new Dictionary<string, string> { ["rack"] = "a" }, cpu: "8");
        f.AddRackPool("racks", ("a", "10.1.0.0/24"), ("b", "10.2.0.0/24"));
        f.CreateCluster("orders", 1);
        f.SetPool("orders", "racks");
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        string first = f.Pod("orders-0").NodeName();
        string address = f.BoundAddress("orders-0")!;
        Assert.StartsWith("10.1.0.", address);

        f.AddNode("b-1", labels: new Dictionary<string, string> { ["rack"] = "b" }, cpu: "64");
        f.AddNode("b-2", labels: new Dictionary<string, string> { ["rack"] = "b" }, cpu: "64");
        f.BindVolume("data-orders-0", localNode: null); // a SAN volume: the data does not tie the member to its node
        f.DeletePod("orders-0");
        f.Cordon(first);
        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        var back = f.Pod("orders-0");
        Assert.StartsWith("a-", back.NodeName());
        Assert.NotEqual(first, back.NodeName());
        Assert.Equal(address, f.BoundAddress("orders-0"));
        Assert.Single(f.Reservations());
    }

    [Fact]
    public async Task A_replaced_member_whose_local_volume_is_on_its_node_goes_back_there_even_when_an_emptier_node_exists()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        string home = f.Pod("orders-1").NodeName();
        f.BindVolume("data-orders-1", localNode: home);
        // The emptiest node, in the same zone: placement alone would pick it.
        f.AddNode("node-big", zone: f.Server.Store.Get(new("", "v1", "nodes", "", home, null))["metadata"]!["labels"]![NodeInventoryReader.ZoneLabel]!.GetValue<string>(), cpu: "96");

        f.DeletePod("orders-1");
        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.Equal(home, f.Pod("orders-1").NodeName());
        Assert.Equal(3, f.Pvcs().Count);
    }

    [Fact]
    public async Task A_member_whose_volume_node_is_cordoned_waits_and_names_the_pvc_that_holds_it_there()
    {
        using var f = ReconcileFixture.WithNodes(4);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        string home = f.Pod("orders-2").NodeName();
        f.BindVolume("data-orders-2", localNode: home);
        f.Cordon(home);

        f.DeletePod("orders-2");
        Assert.Equal(ReconcileOutcome.Requeue, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.DoesNotContain(f.Pods(), p => p.Name() == "orders-2");
        var placed = f.Cluster("orders")!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Placed")!;
        Assert.Equal("False", placed["status"]!.GetValue<string>());
        Assert.Contains("member orders-2 waits", placed["message"]!.GetValue<string>());
        Assert.Contains("delete PVC data-orders-2", placed["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_volume_not_bound_yet_keeps_its_member_on_the_node_it_is_being_made_on()
    {
        using var f = ReconcileFixture.WithNodes(4);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        string home = f.Pod("orders-0").NodeName();
        f.AddNode("node-big", zone: f.Server.Store.Get(new("", "v1", "nodes", "", home, null))["metadata"]!["labels"]![NodeInventoryReader.ZoneLabel]!.GetValue<string>(), cpu: "96");

        f.DeletePod("orders-0");
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        Assert.Equal(home, f.Pod("orders-0").NodeName());
    }

    [Fact]
    public async Task A_member_with_no_node_reaching_its_segment_stays_pending_and_says_which_nodes_were_left_out()
    {
        using var f = new ReconcileFixture();
        f.AddNode("a-1", labels: new Dictionary<string, string> { ["rack"] = "a" });
        f.AddRackPool("racks", ("a", "10.1.0.0/24"), ("b", "10.2.0.0/24"));
        f.CreateCluster("orders", 1);
        f.SetPool("orders", "racks");
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        f.AddNode("b-1", labels: new Dictionary<string, string> { ["rack"] = "b" });
        f.BindVolume("data-orders-0", localNode: null);
        f.DeletePod("orders-0");
        f.Cordon("a-1");

        Assert.Equal(ReconcileOutcome.Requeue, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.Empty(f.Pods());
        var placed = f.Cluster("orders")!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Placed")!;
        Assert.Equal("False", placed["status"]!.GetValue<string>());
        Assert.Contains("left out: b-1", placed["message"]!.GetValue<string>());
    }
}

using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>The reconciler against the in-process API server, one reconcile pass at a time (no timers, no waiting).</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class MySqlClusterReconcilerTests
{
    static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task A_three_member_cluster_gets_three_pods_on_three_nodes_three_pvcs_one_headless_service_and_status()
    {
        using var f = ReconcileFixture.WithNodes(5);
        f.CreateCluster("orders", 3);

        var outcome = await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        Assert.Equal(ReconcileOutcome.Converged, outcome);
        var pods = f.Pods();
        Assert.Equal(["orders-0", "orders-1", "orders-2"], pods.Select(p => p.Name()).Order());
        Assert.Equal(3, pods.Select(p => p.NodeName()).Distinct().Count());
        foreach (var p in pods)
        {
            int i = int.Parse(p.Label(MemberNames.MemberLabel)!);
            Assert.Equal("orders", p.Label(MemberNames.ClusterLabel));
            Assert.Equal($"db/orders-{i}", p.Annotation(MemberNames.FixedIpAnnotation));
            var owner = p["metadata"]!["ownerReferences"]![0]!;
            Assert.Equal("MySQLCluster", owner["kind"]!.GetValue<string>());
            Assert.Equal(f.Cluster("orders")!["metadata"]!["uid"]!.GetValue<string>(), owner["uid"]!.GetValue<string>());
            var args = p["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            // Each member's address is bound before its pod exists: MGR is addressed by the fixed addresses.
            string ip = f.BoundAddress($"orders-{i}")!;
            Assert.StartsWith("10.20.", ip);
            Assert.Equal(ip, p.Annotation(MemberNames.AddressAnnotation));
            Assert.Contains($"--loose-report-host={ip}", args);
            Assert.Contains($"--loose-group-replication-local-address={ip}:33061", args);
            Assert.Contains("--loose-group-replication-group-seeds=" + string.Join(',', Enumerable.Range(0, 3).Select(k => f.BoundAddress($"orders-{k}") + ":33061")), args);
            Assert.Equal($"data-orders-{i}", p["spec"]!["volumes"]![0]!["persistentVolumeClaim"]!["claimName"]!.GetValue<string>());
        }
        Assert.Single(pods, p => p.Annotation(MemberNames.BootstrapAnnotation) == "true");
        Assert.Equal(["data-orders-0", "data-orders-1", "data-orders-2"], f.Pvcs().Select(p => p.Name()).Order());
        // Pinned pods bypass kube-scheduler: each PVC names its pod's node for a WaitForFirstConsumer class.
        foreach (var pod in pods)
            Assert.Equal(pod.NodeName(), f.Pvc($"data-{pod.Name()}").Annotation(MemberNames.SelectedNodeAnnotation));
        Assert.Equal(["orders", "orders-primary"], f.Services().Select(x => x.Name()).Order());
        var svc = f.Services().Single(x => x.Name() == "orders");
        var primarySvc = f.Services().Single(x => x.Name() == "orders-primary");
        Assert.Equal("primary", primarySvc["spec"]!["selector"]![MemberNames.RoleLabel]!.GetValue<string>());
        Assert.Equal("orders", primarySvc["spec"]!["selector"]![MemberNames.ClusterLabel]!.GetValue<string>());
        Assert.Equal(3, f.Reservations().Select(x => x["spec"]!["address"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal("None", svc["spec"]!["clusterIP"]!.GetValue<string>());

        var cluster = f.Cluster("orders")!;
        Assert.Contains(MySqlClusterApi.Finalizer, cluster["metadata"]!["finalizers"]!.AsArray().Select(x => x!.GetValue<string>()));
        var status = cluster["status"]!;
        Assert.Equal("Creating", status["phase"]!.GetValue<string>());
        var members = status["members"]!.AsArray();
        Assert.Equal(3, members.Count);
        foreach (var m in members)
        {
            var pod = f.Pod(m!["name"]!.GetValue<string>());
            Assert.Equal(pod.NodeName(), m["node"]!.GetValue<string>());
            Assert.Equal("SECONDARY", m["role"]!.GetValue<string>());
            Assert.Equal("Creating", m["phase"]!.GetValue<string>());
        }
        var placed = status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Placed")!;
        Assert.Equal("True", placed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_reports_running_members_the_primary_and_ready_once_pods_run()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        foreach (var p in f.Pods()) f.MarkRunning(p.Name());
        var primary = f.Pod("orders-1");
        primary["metadata"]!["labels"]![MemberNames.RoleLabel] = "primary";
        f.Server.Store.Update(new("", "v1", "pods", ReconcileFixture.Ns, "orders-1", null), primary);

        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        var status = f.Cluster("orders")!["status"]!;
        Assert.Equal("Running", status["phase"]!.GetValue<string>());
        Assert.Equal(3, status["readyMembers"]!.GetValue<int>());
        Assert.Equal(primary.NodeName(), status["primary"]!.GetValue<string>());
        Assert.Equal("PRIMARY", status["members"]![1]!["role"]!.GetValue<string>());
        var ready = status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready")!;
        Assert.Equal("True", ready["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scaling_three_to_five_adds_two_members_on_new_nodes_without_duplicates()
    {
        using var f = ReconcileFixture.WithNodes(5);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var before = f.Pods().ToDictionary(p => p.Name(), p => p.NodeName());

        f.SetMembers("orders", 5);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        var pods = f.Pods();
        Assert.Equal(["orders-0", "orders-1", "orders-2", "orders-3", "orders-4"], pods.Select(p => p.Name()).Order());
        Assert.Equal(5, pods.Select(p => p.NodeName()).Distinct().Count());
        foreach (var (name, node) in before) Assert.Equal(node, f.Pod(name).NodeName());
        Assert.DoesNotContain(pods, p => p.Name() is "orders-3" or "orders-4" && p.Annotation(MemberNames.BootstrapAnnotation) is not null);
        Assert.Equal(5, f.Pvcs().Count);
        Assert.Equal(2, f.Services().Count);
        Assert.Equal(5, f.Cluster("orders")!["status"]!["members"]!.AsArray().Count);
        // The new members' seeds name all five fixed addresses.
        string seeds = "--loose-group-replication-group-seeds=" + string.Join(',', Enumerable.Range(0, 5).Select(k => f.BoundAddress($"orders-{k}") + ":33061"));
        foreach (var name in new[] { "orders-3", "orders-4" })
            Assert.Contains(seeds, f.Pod(name)["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(5, f.Reservations().Count);
    }

    [Fact]
    public async Task A_deleted_member_pod_is_recreated_with_the_same_fixed_ip_identity()
    {
        using var f = ReconcileFixture.WithNodes(4);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var gone = f.Pod("orders-1");
        var others = f.Pods().Where(p => p.Name() != "orders-1").Select(p => p.NodeName()).ToList();
        string address = f.BoundAddress("orders-1")!;

        f.DeletePod("orders-1");
        Assert.Equal(2, f.Pods().Count);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        var back = f.Pod("orders-1");
        Assert.NotEqual(gone["metadata"]!["uid"]!.GetValue<string>(), back["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal("db/orders-1", back.Annotation(MemberNames.FixedIpAnnotation));
        Assert.Equal(gone.Annotation(MemberNames.FixedIpAnnotation), back.Annotation(MemberNames.FixedIpAnnotation));
        Assert.DoesNotContain(back.NodeName(), others);
        Assert.Null(back.Annotation(MemberNames.BootstrapAnnotation));
        Assert.Equal(3, f.Pods().Count);
        Assert.Equal(3, f.Pvcs().Count);
        // Same fixed address, and the new pod's report_host is that address.
        Assert.Equal(address, f.BoundAddress("orders-1"));
        Assert.Equal(3, f.Reservations().Count);
        Assert.Contains($"--loose-report-host={address}", back["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task A_restarted_reconciler_converges_without_duplicates()
    {
        using var f = ReconcileFixture.WithNodes(5);
        f.CreateCluster("orders", 5);
        // The first operator got as far as the Service, two PVCs and two pods, then died.
        var first = f.NewReconciler();
        await first.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        foreach (var p in f.Pods().Where(p => p.Name() is "orders-2" or "orders-3" or "orders-4")) f.DeletePod(p.Name());
        foreach (var c in f.Pvcs().Where(p => p.Name() is "data-orders-3" or "data-orders-4"))
            f.Server.Store.Delete(new("", "v1", "persistentvolumeclaims", ReconcileFixture.Ns, c.Name(), null), null, null);
        var survivors = f.Pods().ToDictionary(p => p.Name(), p => p["metadata"]!["uid"]!.GetValue<string>());

        var second = f.NewReconciler();
        await second.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        await second.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var third = f.NewReconciler();
        Assert.Equal(ReconcileOutcome.Converged, await third.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        var pods = f.Pods();
        Assert.Equal(["orders-0", "orders-1", "orders-2", "orders-3", "orders-4"], pods.Select(p => p.Name()).Order());
        Assert.Equal(5, pods.Select(p => p.NodeName()).Distinct().Count());
        foreach (var (name, uid) in survivors) Assert.Equal(uid, f.Pod(name)["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(5, f.Pvcs().Count);
        Assert.Equal(2, f.Services().Count);
        Assert.Equal(5, f.Reservations().Count);
        Assert.Single(f.Cluster("orders")!["metadata"]!["finalizers"]!.AsArray());
    }

    [Fact]
    public async Task Two_reconcilers_racing_on_one_cluster_create_each_object_once()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);

        await Task.WhenAll(
            f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct),
            f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct)).ContinueWith(_ => { });
        await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        Assert.Equal(3, f.Pods().Count);
        Assert.Equal(3, f.Pods().Select(p => p.NodeName()).Distinct().Count());
        Assert.Equal(3, f.Pvcs().Count);
        Assert.Equal(2, f.Services().Count);
        Assert.Equal(3, f.Reservations().Count);
    }

    [Fact]
    public async Task Deleting_the_cluster_removes_its_pods_pvcs_and_service_through_the_finalizer()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        f.CreateCluster("billing", 1);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        await r.ReconcileAsync(ReconcileFixture.Ns, "billing", Ct);

        f.DeleteCluster("orders");
        Assert.NotNull(f.Cluster("orders")); // held by the finalizer
        var outcome = await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        Assert.Equal(ReconcileOutcome.Gone, outcome);
        Assert.Null(f.Cluster("orders"));
        Assert.Equal(["billing-0"], f.Pods().Select(p => p.Name()));
        Assert.Equal(["data-billing-0"], f.Pvcs().Select(p => p.Name()));
        Assert.Equal(["billing", "billing-primary"], f.Services().Select(p => p.Name()).Order());
        // The members' address bindings went with the cluster; billing's stays.
        Assert.Equal(["db/billing-0"], f.Reservations().Select(x => x["spec"]!["fixed"]!["key"]!.GetValue<string>()));
        Assert.Equal(ReconcileOutcome.Gone, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
    }

    [Fact]
    public async Task A_cluster_without_enough_eligible_nodes_stays_pending_with_the_reason()
    {
        using var f = ReconcileFixture.WithNodes(2);
        f.AddNode("node-hot", pressure: "cpu=0.95");
        f.CreateCluster("orders", 3);

        var outcome = await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        Assert.Equal(ReconcileOutcome.Requeue, outcome);
        Assert.Empty(f.Pods());
        var status = f.Cluster("orders")!["status"]!;
        Assert.Equal("Pending", status["phase"]!.GetValue<string>());
        var placed = status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Placed")!;
        Assert.Equal("False", placed["status"]!.GetValue<string>());
        Assert.Contains("2 eligible", placed["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Members_of_two_clusters_count_against_each_node()
    {
        using var f = new ReconcileFixture();
        // Each node takes 3 CPUs of MySQL requests at a 1.5 ceiling: one 2-CPU member, never two.
        for (int i = 1; i <= 4; i++) f.AddNode($"node-{i}", cpu: "2");
        f.CreateCluster("orders", 3);
        f.CreateCluster("billing", 3);
        var r = f.NewReconciler();

        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var outcome = await r.ReconcileAsync(ReconcileFixture.Ns, "billing", Ct);

        Assert.Equal(ReconcileOutcome.Requeue, outcome);
        Assert.Equal(3, f.Pods().Count);
        Assert.All(f.Pods(), p => Assert.Equal("orders", p.Label(MemberNames.ClusterLabel)));
    }

    [Fact]
    public async Task The_ip_allowlist_covers_the_pools_segments_and_a_missing_pool_creates_no_member()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.AddPool("orders-pool", "10.1.0.0/24", "10.2.0.0/24");
        f.CreateCluster("orders", 1);
        f.CreateCluster("billing", 1);
        foreach (var (cluster, pool) in new[] { ("orders", "orders-pool"), ("billing", "no-such-pool") })
        {
            var c = f.Cluster(cluster)!;
            c["spec"]!["network"]!["pool"] = pool;
            f.Server.Store.Update(ReconcileFixture.ClusterRoute(cluster), c);
        }
        var r = f.NewReconciler();

        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var billing = await r.ReconcileAsync(ReconcileFixture.Ns, "billing", Ct);

        static List<string> Args(JsonObject pod) => [.. pod["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>())];
        Assert.Contains("--loose-group-replication-ip-allowlist=10.1.0.0/24,10.2.0.0/24", Args(f.Pod("orders-0")));
        Assert.Equal(ReconcileOutcome.Requeue, billing);
        Assert.DoesNotContain(f.Pods(), p => p.Name() == "billing-0");
        var placed = f.Cluster("billing")!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Placed")!;
        Assert.Equal("False", placed["status"]!.GetValue<string>());
        Assert.Contains("IPPool no-such-pool does not exist", placed["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scaling_five_to_three_deletes_the_highest_members_and_keeps_their_volumes()
    {
        using var f = ReconcileFixture.WithNodes(5);
        f.CreateCluster("orders", 5);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var kept = f.Pods().Where(p => p.Name() is "orders-0" or "orders-1" or "orders-2").ToDictionary(p => p.Name(), p => p["metadata"]!["uid"]!.GetValue<string>());

        f.SetMembers("orders", 3);
        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.Equal(["orders-0", "orders-1", "orders-2"], f.Pods().Select(p => p.Name()).Order());
        foreach (var (name, uid) in kept) Assert.Equal(uid, f.Pod(name)["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal(5, f.Pvcs().Count);
        Assert.Equal(3, f.Cluster("orders")!["status"]!["members"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_primary_role_moves_to_a_secondary_on_a_healthy_host_when_its_host_is_overloaded()
    {
        using var f = ReconcileFixture.WithNodes(4);
        f.CreateCluster("orders", 3);
        var promoter = new RecordingPromoter();
        var r = f.NewReconciler(promoter);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        f.LabelPrimary("orders-0");
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        Assert.Empty(promoter.Calls);
        var healthy = f.Cluster("orders")!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "PrimaryHostHealthy")!;
        Assert.Equal("True", healthy["status"]!.GetValue<string>());
        var nodesBefore = f.Pods().ToDictionary(p => p.Name(), p => p.NodeName());
        string hot = f.Pod("orders-0").NodeName();
        string alsoHot = f.Pod("orders-1").NodeName();

        f.SetPressure(hot, "cpu=0.97");
        f.SetPressure(alsoHot, "disk=0.9");
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        var call = Assert.Single(promoter.Calls);
        Assert.Equal(("db/orders", "orders-2", f.BoundAddress("orders-2")), call);
        Assert.Equal(nodesBefore, f.Pods().ToDictionary(p => p.Name(), p => p.NodeName())); // no data moved
        var cond = f.Cluster("orders")!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "PrimaryHostHealthy")!;
        Assert.Equal("PrimaryMoved", cond["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_healthy_secondary_the_primary_stays_and_the_status_says_why()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        var promoter = new RecordingPromoter();
        var r = f.NewReconciler(promoter);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        f.LabelPrimary("orders-0");
        foreach (var n in new[] { "node-1", "node-2", "node-3" }) f.SetPressure(n, "memory=0.95");

        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);

        Assert.Empty(promoter.Calls);
        var cond = f.Cluster("orders")!["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "PrimaryHostHealthy")!;
        Assert.Equal("NoHealthySecondary", cond["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_member_pod_still_terminating_is_replaced_once_it_is_gone_and_only_then()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var route = new Cdd.Testing.Kube.KubeRoute("", "v1", "pods", ReconcileFixture.Ns, "orders-2", null);
        var pod = f.Pod("orders-2");
        pod["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        f.Server.Store.Update(route, pod);
        f.DeletePod("orders-2"); // now terminating: deletionTimestamp set, the name still taken
        string oldUid = f.Pod("orders-2")["metadata"]!["uid"]!.GetValue<string>();

        Assert.Equal(ReconcileOutcome.Requeue, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Equal(3, f.Pods().Count);
        Assert.Equal(oldUid, f.Pod("orders-2")["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal("Pending", f.Cluster("orders")!["status"]!["members"]![2]!["phase"]!.GetValue<string>());

        var terminating = f.Pod("orders-2");
        terminating["metadata"]!["finalizers"] = new JsonArray();
        f.Server.Store.Update(route, terminating); // the last finalizer goes: the pod is removed
        Assert.Equal(2, f.Pods().Count);
        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.NotEqual(oldUid, f.Pod("orders-2")["metadata"]!["uid"]!.GetValue<string>());
        Assert.Equal("db/orders-2", f.Pod("orders-2").Annotation(MemberNames.FixedIpAnnotation));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Under_lost_replies_500s_and_409s_repeated_passes_converge_without_duplicates(int seed)
    {
        using var f = ReconcileFixture.WithNodes(6);
        f.CreateCluster("orders", 5);
        f.CreateCluster("billing", 3);
        f.Server.Faults.Seed = seed;
        f.Server.Faults.LostReplyRate = 0.2;
        f.Server.Faults.InternalErrorRate = 0.1;
        f.Server.Faults.ConflictRate = 0.1;
        for (int pass = 0; pass < 20; pass++)
        {
            var r = f.NewReconciler(); // a fresh operator every pass: nothing carried over but what the server holds
            foreach (var name in new[] { "orders", "billing" })
            {
                try { await r.ReconcileAsync(ReconcileFixture.Ns, name, Ct); }
                catch (k8s.Autorest.HttpOperationException) { }
            }
        }
        f.Server.Faults.LostReplyRate = f.Server.Faults.InternalErrorRate = f.Server.Faults.ConflictRate = 0;
        Assert.Equal(ReconcileOutcome.Converged, await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Equal(ReconcileOutcome.Converged, await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "billing", Ct));

        var pods = f.Pods();
        Assert.Equal(8, pods.Count);
        foreach (var g in pods.GroupBy(p => p.Label(MemberNames.ClusterLabel)))
            Assert.Equal(g.Count(), g.Select(p => p.NodeName()).Distinct().Count());
        Assert.Equal(8, f.Pvcs().Count);
        Assert.Equal(4, f.Services().Count);
        Assert.Equal(8, f.Reservations().Select(x => x["spec"]!["address"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(8, f.Reservations().Count);
        foreach (var name in new[] { "orders", "billing" })
            Assert.Single(f.Cluster(name)!["metadata"]!["finalizers"]!.AsArray());
    }

    [Fact]
    public async Task An_unusable_spec_creates_nothing_and_says_why_in_the_status_and_the_cluster_still_deletes()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        var c = f.Cluster("orders")!;
        c["spec"]!["storage"]!["size"] = "10GB";
        f.Server.Store.Update(ReconcileFixture.ClusterRoute("orders"), c);
        var r = f.NewReconciler();

        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.Empty(f.Pods());
        Assert.Empty(f.Pvcs());
        var status = f.Cluster("orders")!["status"]!;
        Assert.Equal("Pending", status["phase"]!.GetValue<string>());
        var placed = status["conditions"]!.AsArray().Single(x => x!["type"]!.GetValue<string>() == "Placed")!;
        Assert.Equal("InvalidSpec", placed["reason"]!.GetValue<string>());
        Assert.Contains("spec.storage.size", placed["message"]!.GetValue<string>());

        f.DeleteCluster("orders");
        Assert.Equal(ReconcileOutcome.Gone, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Null(f.Cluster("orders"));
    }

    [Fact]
    public async Task A_pass_over_a_converged_cluster_writes_nothing()
    {
        using var f = ReconcileFixture.WithNodes(3);
        f.CreateCluster("orders", 3);
        var r = f.NewReconciler();
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        foreach (var p in f.Pods()) f.MarkRunning(p.Name());
        f.LabelPrimary("orders-0");
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        long before = f.Server.Store.ResourceVersion;

        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Equal(ReconcileOutcome.Converged, await f.NewReconciler().ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.Equal(before, f.Server.Store.ResourceVersion);
    }
}

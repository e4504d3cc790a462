using System.Diagnostics;
using Cdd.Operator.Model;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile;
using Cdd.Testing;
using MySqlConnector;
using Xunit.Abstractions;

namespace Cdd.Operator.Tests.Mgr;

/// <summary>
/// What the operator says to a running group, on real MGR: group_replication_set_as_primary through the promoter (and
/// through the over-loaded-host check), SET PERSIST of seeds and weights on running members, and a rolling image
/// change that keeps the group writable through the &lt;cluster&gt;-primary route except during the switchover.
/// Each test starts from a whole group, whatever ran before it.
/// </summary>
[Tier(Tier.Mgr)]
[Collection(MgrCollection.Name)]
public sealed class PrimaryRoleTests(MgrCluster c, ITestOutputHelper output) : IClassFixture<MgrCluster>
{
    ClusterSpec Spec => ClusterSpec.Parse(c.F.Cluster(MgrCluster.Name)!);

    Task WholeAsync() => c.WholeAsync(TimeSpan.FromMinutes(3));

    [Fact]
    public async Task The_promoter_moves_the_primary_role_with_set_as_primary_and_the_route_follows()
    {
        await WholeAsync();
        string old = c.GroupPrimary()!;
        string target = c.Pods().Select(p => p.Name()).First(n => n != old);
        var promoter = new MySqlPrimaryPromoter(c.Tracker.EndpointsAsync);
        var clock = Stopwatch.StartNew();
        await promoter.PromoteAsync(Spec, target, c.AddressOf(target), CancellationToken.None);
        long called = clock.ElapsedMilliseconds;
        Assert.Equal(target, c.GroupPrimary()); // set_as_primary returns once the group has switched
        await c.WaitAsync("the label and status follow the move", () => c.LabelledPrimary() == target && c.StatusPrimary() == c.NodeOf(target), TimeSpan.FromSeconds(30));
        output.WriteLine($"set_as_primary({target}) returned after {called} ms; route followed after {clock.ElapsedMilliseconds} ms");
        // Asked again, nothing changes (the target is already the PRIMARY).
        await promoter.PromoteAsync(Spec, target, c.AddressOf(target), CancellationToken.None);
        Assert.Equal(target, c.GroupPrimary());
        Assert.True(c.AllOnline(3));
    }

    [Fact]
    public async Task A_tripped_breaker_on_the_primary_host_hands_the_role_to_a_secondary_on_a_healthy_host()
    {
        await WholeAsync();
        string old = c.GroupPrimary()!, node = c.NodeOf(old);
        var nodes = c.Pods().ToDictionary(p => p.Name(), p => p.NodeName());
        c.F.SetPressure(node, "cpu=0.97");
        try
        {
            c.Controller.Notify((ReconcileFixture.Ns, MgrCluster.Name));
            await c.WaitAsync("MGR's primary moved off the over-loaded host and the route followed",
                () => c.GroupPrimary() is { } p && p != old && c.LabelledPrimary() == p && c.StatusPrimary() != node, TimeSpan.FromMinutes(1));
            Assert.Equal(nodes, c.Pods().ToDictionary(p => p.Name(), p => p.NodeName())); // the role moved, no pod did
        }
        finally
        {
            c.F.SetPressure(node, "cpu=0.1");
        }
    }

    [Fact]
    public async Task The_balance_loop_moves_a_primary_off_a_host_holding_more_than_the_bound_with_an_event_and_a_condition()
    {
        await WholeAsync();
        string primary = c.GroupPrimary()!, host = c.NodeOf(primary);
        var others = c.Pods().Where(p => p.Name() != primary).Select(p => p.NodeName()).Order().ToList();
        // Two more groups (not run here) whose primaries MGR elected on the same host: 3 primaries on 3 hosts, bound 1.
        List<Cdd.Operator.Placement.BalanceCluster> load = [.. new[] { "other/s1", "other/s2" }.Select(k => new Cdd.Operator.Placement.BalanceCluster(k,
            [new($"{k}-0", host, true, "ONLINE"), new($"{k}-1", others[0], false, "ONLINE"), new($"{k}-2", others[1], false, "ONLINE")]))];
        var loop = RunCommand.Balance(c.F.NewClient(), c.Tracker, c.Options, c.Controller, c.Ledger, TimeSpan.FromSeconds(1), c.Log,
            new Cdd.Operator.Placement.RebalancerOptions { CoolDown = TimeSpan.FromHours(1) }, () => load);
        var move = await loop.OnceAsync(CancellationToken.None);
        Assert.NotNull(move);
        Assert.Equal(("db/orders", primary, host, others[0]), (move.Cluster, move.FromPod, move.FromHost, move.ToHost));
        await c.WaitAsync("MGR's primary on the less loaded host and the route following", () => c.GroupPrimary() == move.ToPod && c.LabelledPrimary() == move.ToPod, TimeSpan.FromMinutes(1));
        await c.WaitAsync("the PrimaryBalanced condition", () => c.F.Cluster(MgrCluster.Name)!["status"]!["conditions"]!.AsArray()
            .Any(x => x!["type"]!.GetValue<string>() == PrimaryBalanceLoop.Type && x["reason"]!.GetValue<string>() == "PrimaryRebalanced"), TimeSpan.FromSeconds(30));
        var events = c.F.Server.Store.List(new Cdd.Testing.Kube.KubeRoute("", "v1", "events", ReconcileFixture.Ns, null, null), Cdd.Testing.Kube.LabelSelector.Parse(null)).Items;
        var ev = Assert.Single(events);
        Assert.Equal("PrimaryRebalanced", ev["reason"]!.GetValue<string>());
        Assert.Equal(MgrCluster.Name, ev["involvedObject"]!["name"]!.GetValue<string>());
        // Cooling down: the same cluster is not moved again, even though its old host still holds the two others.
        Assert.Null(await loop.OnceAsync(CancellationToken.None));
        Assert.True(c.AllOnline(3));
    }

    System.Text.Json.Nodes.JsonObject? StatusMember(string pod) =>
        c.F.Cluster(MgrCluster.Name)?["status"]?["members"]?.AsArray().OfType<System.Text.Json.Nodes.JsonObject>().FirstOrDefault(m => m["name"]?.GetValue<string>() == pod);

    [Fact]
    public async Task A_member_in_error_is_reported_with_its_last_error_while_the_group_primary_stays_known_though_it_answers_first()
    {
        await WholeAsync();
        // The member asked first (orders-0) is the one that fails: its answer lists only itself, in ERROR.
        string first = $"{MgrCluster.Name}-0";
        if (c.GroupPrimary() == first)
        {
            string to = $"{MgrCluster.Name}-1";
            await new MySqlPrimaryPromoter(c.Tracker.EndpointsAsync).PromoteAsync(Spec, to, c.AddressOf(to), CancellationToken.None);
            await WholeAsync();
        }
        string primary = c.GroupPrimary()!;
        var member = c.Member(first);
        c.Member(primary).Execute("CREATE DATABASE IF NOT EXISTS e; CREATE TABLE IF NOT EXISTS e.t (id INT PRIMARY KEY); DELETE FROM e.t");
        Eventually.True($"e.t on {first}", () => Convert.ToInt64(member.Scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='e' AND table_name='t'")) == 1, TimeSpan.FromMinutes(1));
        // A row only this member has, written outside the binary log (no GTID, nothing errant): the group's next write of
        // that key fails in this member's applier, and MGR puts it in ERROR.
        member.Execute("SET SESSION sql_log_bin=0; SET GLOBAL super_read_only=OFF; INSERT INTO e.t VALUES (1); SET GLOBAL super_read_only=ON; SET SESSION sql_log_bin=1");
        try
        {
            c.Member(primary).Execute("INSERT INTO e.t VALUES (1)");
            await c.WaitAsync($"{first} in ERROR in the status with its last error",
                () => StatusMember(first) is { } m && m["state"]?.GetValue<string>() == "ERROR" && m["lastError"] is not null, TimeSpan.FromMinutes(1));
            string error = StatusMember(first)!["lastError"]!.GetValue<string>();
            output.WriteLine($"{first} lastError: {error}");
            Assert.Matches("MY-0[0-9]{5}: ", error);
            Assert.Contains("Duplicate entry", error);
            Assert.DoesNotContain(MgrMember.OperatorPassword, error);
            // The answer of the member in ERROR did not hide the group's primary.
            var seen = c.Tracker.Watcher.LastReported($"{ReconcileFixture.Ns}/{MgrCluster.Name}");
            Assert.Equal((PrimaryStatus.Known, primary), (seen?.Status, seen?.Member));
            Assert.Equal(primary, c.LabelledPrimary());
            Assert.Equal(c.NodeOf(primary), c.StatusPrimary());
        }
        finally
        {
            // The DBA's repair: the local row goes, the member rejoins and applies the group's write.
            member.Execute("STOP GROUP_REPLICATION; SET SESSION sql_log_bin=0; SET GLOBAL super_read_only=OFF; DELETE FROM e.t WHERE id = 1; SET GLOBAL super_read_only=ON; SET SESSION sql_log_bin=1; START GROUP_REPLICATION");
        }
        await WholeAsync();
        await c.WaitAsync($"{first} ONLINE in the status without a last error",
            () => StatusMember(first) is { } m && m["state"]?.GetValue<string>() == "ONLINE" && m["lastError"] is null, TimeSpan.FromMinutes(1));
        Assert.Equal(1L, Convert.ToInt64(member.Scalar("SELECT COUNT(*) FROM e.t WHERE id = 1")));
    }

    [Fact]
    public async Task New_member_weights_are_set_persist_on_every_running_member_without_a_restart()
    {
        await WholeAsync();
        var pids = c.RunningMembers.ToDictionary(m => m.Name, m => m.Pid);
        var cluster = c.F.Cluster(MgrCluster.Name)!;
        cluster["spec"]!["mysql"]!["memberWeights"] = new System.Text.Json.Nodes.JsonArray(70, 20, 10);
        c.F.Server.Store.Update(ReconcileFixture.ClusterRoute(MgrCluster.Name), cluster);
        int[] weights = [70, 20, 10];
        await c.WaitAsync("every member runs its new weight", () => Enumerable.Range(0, 3).All(i =>
            c.Member($"{MgrCluster.Name}-{i}").Text("SELECT @@group_replication_member_weight") == weights[i].ToString()), TimeSpan.FromMinutes(1));
        foreach (var m in c.RunningMembers)
        {
            int i = int.Parse(m.Name[^1..]);
            // Persisted: a restart keeps them (SET PERSIST), seeds included, and the group stayed whole.
            Assert.Equal(weights[i].ToString(), m.Text("SELECT VARIABLE_VALUE FROM performance_schema.persisted_variables WHERE VARIABLE_NAME='group_replication_member_weight'"));
            Assert.Equal(m.Text("SELECT @@group_replication_group_seeds"),
                m.Text("SELECT VARIABLE_VALUE FROM performance_schema.persisted_variables WHERE VARIABLE_NAME='group_replication_group_seeds'"));
            Assert.Equal(pids[m.Name], m.Pid);
        }
        Assert.True(c.AllOnline(3));
        await c.WaitAsync("SettingsApplied true", () => c.F.Cluster(MgrCluster.Name)!["status"]!["conditions"]!.AsArray()
            .Any(x => x!["type"]!.GetValue<string>() == "SettingsApplied" && x["status"]!.GetValue<string>() == "True"), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_new_image_rolls_through_the_members_and_writes_through_the_route_fail_only_during_the_switchover()
    {
        await WholeAsync();
        var first = c.RunningMembers.First(m => c.GroupPrimary() == m.Name);
        first.Execute("CREATE DATABASE IF NOT EXISTS r; CREATE TABLE IF NOT EXISTS r.w (id INT PRIMARY KEY, via VARCHAR(20))");
        var outcomes = new List<(int Id, string Via, bool Ok, bool Switching, string Error)>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (int id = 1; !stop.IsCancellationRequested; id++)
            {
                string via = c.LabelledPrimary() ?? "";
                try
                {
                    using var conn = new MySqlConnection(c.Member(via).RootConnectionString);
                    await conn.OpenAsync();
                    using var cmd = new MySqlCommand($"INSERT INTO r.w VALUES ({id}, '{via}')", conn);
                    await cmd.ExecuteNonQueryAsync();
                    lock (outcomes) outcomes.Add((id, via, true, false, ""));
                }
                catch (Exception e) when (e is MySqlException or KeyNotFoundException or InvalidOperationException)
                {
                    // Switching: the route points at a member that is not (or no longer) the group's running primary.
                    bool switching = c.GroupPrimary() != via || c.Member(via).Pid is null || c.LabelledPrimary() != via;
                    lock (outcomes) outcomes.Add((id, via, false, switching, e.Message));
                }
                await Task.Delay(100);
            }
        });
        var cluster = c.F.Cluster(MgrCluster.Name)!;
        cluster["spec"]!["mysql"]!["image"] = "mysql:9.7-rolled";
        c.F.Server.Store.Update(ReconcileFixture.ClusterRoute(MgrCluster.Name), cluster);
        var clock = Stopwatch.StartNew();
        try
        {
            await c.WaitAsync("every member restarted on the new image and the group whole", () =>
                c.Pods().Count == 3 && c.Pods().All(p => p["spec"]!["containers"]![0]!["image"]!.GetValue<string>() == "mysql:9.7-rolled"
                    && p["status"]?["phase"]?.GetValue<string>() == "Running")
                && c.AllOnline(3) && c.GroupPrimary() is { } gp && c.LabelledPrimary() == gp, TimeSpan.FromMinutes(8));
        }
        finally
        {
            stop.Cancel();
            await writer;
        }
        List<(int Id, string Via, bool Ok, bool Switching, string Error)> all;
        lock (outcomes) all = [.. outcomes];
        output.WriteLine($"rolled 3 members in {clock.ElapsedMilliseconds} ms; {all.Count(o => o.Ok)} writes ok, {all.Count(o => !o.Ok)} failed during the switchover");
        Assert.All(all.Where(o => !o.Ok), o => Assert.True(o.Switching, $"write {o.Id} via {o.Via} failed outside a switchover: {o.Error}"));
        Assert.True(all.Count(o => o.Ok) > 10, "the writer got writes through");
        // Every acknowledged write is on every member.
        var acked = all.Where(o => o.Ok).Select(o => (long)o.Id).ToHashSet();
        foreach (var m in c.RunningMembers)
            Eventually.True($"all acknowledged rows on {m.Name}", () =>
                acked.All(id => Convert.ToInt64(m.Scalar($"SELECT COUNT(*) FROM r.w WHERE id={id}")) == 1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
    }
}

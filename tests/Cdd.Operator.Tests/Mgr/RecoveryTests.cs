using System.Diagnostics;
using Cdd.Operator.Reconcile.Steps;
using Cdd.Operator.Recovery;
using Cdd.Testing;
using Xunit.Abstractions;

namespace Cdd.Operator.Tests.Mgr;

/// <summary>
/// What MGR does not do by itself, on real MGR: after a complete outage (kill -9 of every member, containers restarted)
/// the operator bootstraps the group from the member whose transactions contain the others' and the rest join, with
/// every committed row intact.
/// </summary>
[Tier(Tier.Mgr)]
[Collection(MgrCollection.Name)]
public sealed class RecoveryTests(MgrCluster c, ITestOutputHelper output) : IClassFixture<MgrCluster>
{
    Task WholeAsync() => c.WholeAsync(TimeSpan.FromMinutes(4));

    static long Count(MgrMember m) => Convert.ToInt64(m.Scalar("SELECT COUNT(*) FROM o.counter"));

    [Fact]
    public async Task After_every_member_was_killed_the_operator_reboots_the_group_from_the_most_advanced_member_and_no_row_is_lost()
    {
        await WholeAsync();
        var primary = c.Member(c.GroupPrimary()!);
        primary.Execute("CREATE DATABASE IF NOT EXISTS o; CREATE TABLE IF NOT EXISTS o.counter (id INT PRIMARY KEY AUTO_INCREMENT, at DATETIME(6))");
        for (int i = 0; i < 50; i++) primary.Execute("INSERT INTO o.counter (at) VALUES (NOW(6))");
        long committed = Count(primary);
        long rv = c.Now;

        var clock = Stopwatch.StartNew();
        foreach (var m in c.RunningMembers.ToList()) m.Kill9();
        Assert.Empty(c.RunningMembers);
        // kubelet restarts the crashed containers in their pods; each comes up with start_on_boot=ON and finds no group.
        await Task.WhenAll(c.Pods().Select(p => Task.Run(() => c.RestartContainer(p.Name()))));
        await c.WaitAsync("the operator rebooted the group and every member is ONLINE", () => c.AllOnline(3) && c.GroupPrimary() is not null, TimeSpan.FromMinutes(5));
        output.WriteLine($"kill -9 of all 3 -> group ONLINE again after {clock.ElapsedMilliseconds} ms (container restarts included)");

        // The pass that rebooted writes its condition once the joiners' START GROUP_REPLICATION returned.
        await c.WaitAsync("the Rebooted condition", () => c.ConditionsSince(RecoverGroupStep.Type, rv).Any(h => h.Reason == "Rebooted"), TimeSpan.FromMinutes(2));
        var history = c.ConditionsSince(RecoverGroupStep.Type, rv);
        output.WriteLine(string.Join("\n", history.Select(h => $"{h.Reason}: {h.Message}")));
        var rebooted = Assert.Single(history, h => h.Reason == "Rebooted");
        Assert.Contains("complete outage: bootstrapping from orders-", rebooted.Message);
        foreach (var m in c.RunningMembers)
            Eventually.True($"all {committed} rows on {m.Name}", () => Count(m) == committed, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500));
        c.Member(c.GroupPrimary()!).Execute("INSERT INTO o.counter (at) VALUES (NOW(6))");
        Assert.Equal(committed + 1, Count(c.Member(c.GroupPrimary()!)));
    }
}

/// <summary>
/// A group that lost quorum (two of three members killed) on real MGR: the operator reports it and names the
/// annotation, never acts on its own, and acts once when the annotation names the survivor: it sets
/// group_replication_force_members to the members the survivor sees ONLINE and reports the outcome. Its own group:
/// the killed members are not brought back.
/// </summary>
[Tier(Tier.Mgr)]
[Collection(MgrCollection.Name)]
public sealed class QuorumLossTests(MgrCluster c, ITestOutputHelper output) : IClassFixture<MgrCluster>
{
    [Fact]
    public async Task A_group_that_lost_quorum_stays_blocked_until_the_annotation_names_the_member_to_force_it_from()
    {
        await c.WholeAsync(TimeSpan.FromMinutes(4));
        string survivor = c.GroupPrimary()!;
        var killed = c.Pods().Select(p => p.Name()).Where(n => n != survivor).ToList();
        long rv = c.Now;
        foreach (var k in killed) c.Member(k).Kill9();
        await c.WaitAsync("the operator reports the lost quorum", () => c.ConditionsSince(RecoverGroupStep.Type, rv).Any(h => h.Reason == "QuorumLost"), TimeSpan.FromMinutes(1));
        var lost = c.ConditionsSince(RecoverGroupStep.Type, rv).First(h => h.Reason == "QuorumLost");
        Assert.Contains(GroupRecovery.ForceQuorumAnnotation, lost.Message);
        Assert.Contains(survivor, lost.Message);
        // Passes go by (resync 5 s); the operator does nothing on its own.
        await Task.Delay(TimeSpan.FromSeconds(12));
        var view = c.Member(survivor).Members();
        Assert.Equal(3, view.Count);
        Assert.Equal(2, view.Count(r => r.State == "UNREACHABLE"));
        Assert.DoesNotContain(c.ConditionsSince(RecoverGroupStep.Type, rv), h => h.Reason is "QuorumForced" or "ForceFailed");
        Assert.DoesNotContain("group_replication_force_members value", File.ReadAllText(c.Member(survivor).ErrorLog));

        var cluster = c.F.Cluster(MgrCluster.Name)!;
        cluster["metadata"]!["annotations"] ??= new System.Text.Json.Nodes.JsonObject();
        cluster["metadata"]!["annotations"]![GroupRecovery.ForceQuorumAnnotation] = survivor;
        c.F.Server.Store.Update(ReconcileFixture.ClusterRoute(MgrCluster.Name), cluster);
        await c.WaitAsync("the operator acted on the annotation", () => c.ConditionsSince(RecoverGroupStep.Type, rv).Any(h => h.Reason is "QuorumForced" or "ForceFailed"), TimeSpan.FromMinutes(2));
        var acted = c.ConditionsSince(RecoverGroupStep.Type, rv).First(h => h.Reason is "QuorumForced" or "ForceFailed");
        output.WriteLine($"{acted.Reason}: {acted.Message}");
        // The survivor was asked to force exactly the membership it sees ONLINE: itself.
        Assert.Contains($"group_replication_force_members value '{c.AddressOf(survivor)}:33061' was set", File.ReadAllText(c.Member(survivor).ErrorLog));
        await c.WaitAsync("the annotation removed (one-shot)", () => c.F.Cluster(MgrCluster.Name)!["metadata"]!["annotations"]?[GroupRecovery.ForceQuorumAnnotation] is null, TimeSpan.FromSeconds(30));
        Assert.Equal("QuorumForced", acted.Reason);
        Assert.Equal([(c.AddressOf(survivor), "ONLINE", "PRIMARY")], c.Member(survivor).Members());
        c.Member(survivor).Execute("CREATE DATABASE IF NOT EXISTS q; CREATE TABLE IF NOT EXISTS q.t (id INT PRIMARY KEY); INSERT INTO q.t VALUES (1)");
        Assert.Equal(1L, Convert.ToInt64(c.Member(survivor).Scalar("SELECT COUNT(*) FROM q.t")));
    }
}

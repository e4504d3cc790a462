using System.Diagnostics;
using Cdd.Operator.Model;
using Cdd.Testing;
using Xunit.Abstractions;

namespace Cdd.Operator.Tests.Mgr;

/// <summary>
/// kill -9 of the primary's mysqld on real MGR (member_expel_timeout=0): MGR elects a new primary and the operator's
/// route (the cdd.io/role=primary label the &lt;cluster&gt;-primary Service selects) and status.primary follow. Then the
/// killed member's node is lost: its pod is made again on another node, gets the same address from the same
/// reservation, and rejoins with nothing changed on the other members, because seeds and report_host are fixed IPs.
/// Durations are printed, not asserted (./build.sh bench measures them).
/// </summary>
[Tier(Tier.Mgr)]
[Collection(MgrCollection.Name)]
public sealed class FailoverTests(MgrCluster c, ITestOutputHelper output) : IClassFixture<MgrCluster>
{
    [Fact]
    public async Task Killing_the_primary_moves_the_route_and_the_member_returns_from_another_node_with_its_address()
    {
        string old = c.GroupPrimary()!;
        await c.WaitAsync("the operator labels the first primary", () => c.LabelledPrimary() == old, TimeSpan.FromSeconds(30));
        string oldNode = c.NodeOf(old), oldAddress = c.AddressOf(old);
        var others = c.Pods().Select(p => p.Name()).Where(n => n != old).ToList();
        var before = others.ToDictionary(n => n, n => (Pid: c.Member(n).Pid, Seeds: c.Member(n).Text("SELECT @@group_replication_group_seeds"),
            Persisted: c.Member(n).Text("SELECT COUNT(*) FROM performance_schema.persisted_variables")));
        var primaryMember = c.Member(old);
        primaryMember.Execute("CREATE DATABASE IF NOT EXISTS f; CREATE TABLE IF NOT EXISTS f.c (id INT PRIMARY KEY AUTO_INCREMENT, v INT); INSERT INTO f.c (v) VALUES (1),(2),(3);");
        // The volume is reachable from every node (a SAN PV), so the member may come back elsewhere.
        c.F.BindVolume(MemberNames.PvcName(MgrCluster.Name, int.Parse(old[(old.LastIndexOf('-') + 1)..])), null);

        var clock = Stopwatch.StartNew();
        primaryMember.Kill9();
        await c.WaitAsync("MGR elects a new primary among the survivors", () => c.GroupPrimary() is { } p && p != old, TimeSpan.FromMinutes(2));
        long elected = clock.ElapsedMilliseconds;
        string now = c.GroupPrimary()!;
        await c.WaitAsync("the operator's route follows", () => c.LabelledPrimary() == now && c.StatusPrimary() == c.NodeOf(now), TimeSpan.FromMinutes(1));
        output.WriteLine($"kill -9 {old} -> MGR primary {now} after {elected} ms -> operator route after {clock.ElapsedMilliseconds} ms (member_expel_timeout=0)");
        Assert.Contains(now, others);

        // The node is gone: nothing runs there any more; the pod is deleted, the operator makes it again on another node.
        await c.LoseNodeOfAsync(old, TimeSpan.FromMinutes(4));
        string newNode = c.NodeOf(old);
        output.WriteLine($"{old} back on {newNode} (was {oldNode}) at {c.AddressOf(old)}, ONLINE after {clock.ElapsedMilliseconds} ms from the kill");
        Assert.NotEqual(oldNode, newNode);
        Assert.Equal(oldAddress, c.AddressOf(old));
        Assert.Equal(oldAddress, c.Member(old).Net!.Address.ToString());
        Assert.Equal(oldAddress, c.Member(old).Text("SELECT @@report_host"));
        // Nothing changed on the others: same processes, same seeds, nothing persisted.
        foreach (var n in others)
        {
            Assert.Equal(before[n].Pid, c.Member(n).Pid);
            Assert.Equal(before[n].Seeds, c.Member(n).Text("SELECT @@group_replication_group_seeds"));
            Assert.Equal(before[n].Persisted, c.Member(n).Text("SELECT COUNT(*) FROM performance_schema.persisted_variables"));
        }
        // What the primary committed before the kill is on the returned member.
        Eventually.True($"rows on {old}", () => Convert.ToInt64(c.Member(old).Scalar("SELECT COUNT(*) FROM f.c")) == 3, TimeSpan.FromMinutes(1));
        Assert.Equal(now, c.GroupPrimary());
    }
}

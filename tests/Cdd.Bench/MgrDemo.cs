using System.Diagnostics;
using Cdd.Operator.Model;
using Cdd.Testing.Operator;
using Cdd.Testing.Operator.Mgr;

namespace Cdd.Bench;

/// <summary>
/// The demo's MGR section (<c>./build.sh demo</c>, full path; <c>--mgr-demo</c>): a three-member MySQL Group Replication
/// group under the operator, its members on fixed addresses from cdd-ipam in two segments (racks a and b, each with its
/// own nodes), a kill -9 of the primary with MGR's election and the operator's route following, then the old primary's
/// node lost and its member back on another node with the same address, rejoining with nothing changed on the others.
/// A short table with a check mark per step; a failed step is named, and everything is removed either way.
/// </summary>
public static class MgrDemo
{
    sealed record Step(string What, string Result, double Seconds, bool Ok);

    public static int Run(TextWriter w, Action<string> progress) => RunAsync(w, progress).GetAwaiter().GetResult();

    static async Task<int> RunAsync(TextWriter w, Action<string> progress)
    {
        MgrRoot.Require();
        var steps = new List<Step>();
        var clock = Stopwatch.StartNew();
        void Add(string what, string result, bool ok = true)
        {
            steps.Add(new Step(what, result, clock.Elapsed.TotalSeconds, ok));
            progress($"mgr demo: {what}: {result}");
            clock.Restart();
        }
        string current = "bootstrap the group";
        MgrCluster? c = null;
        try
        {
            c = new MgrCluster();
            await c.InitializeAsync();
            var members = c.Pods().Select(p => p.Name()).Order(StringComparer.Ordinal).ToList();
            Add("group bootstrapped under the operator", string.Join(", ", members.Select(m => $"{m} {c.AddressOf(m)} on {c.NodeOf(m)} ({c.Member(m).Net!.Segment})")));

            current = "write through the primary";
            string old = c.GroupPrimary()!;
            await c.WaitAsync("the operator's route on the primary", () => c.LabelledPrimary() == old, TimeSpan.FromSeconds(30));
            c.Member(old).Execute("CREATE DATABASE IF NOT EXISTS demo; CREATE TABLE IF NOT EXISTS demo.t (id INT PRIMARY KEY AUTO_INCREMENT, v INT); INSERT INTO demo.t (v) VALUES (1),(2),(3)");
            string oldNode = c.NodeOf(old), oldAddress = c.AddressOf(old);
            var others = members.Where(m => m != old).ToList();
            var pids = others.ToDictionary(m => m, m => c.Member(m).Pid);
            Add("3 rows written through the route", $"primary {old} at {oldAddress} on {oldNode}");

            current = "kill -9 the primary";
            c.F.BindVolume(MemberNames.PvcName(MgrCluster.Name, int.Parse(old[(old.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)), null);
            c.Member(old).Kill9();
            await c.WaitAsync("MGR elects a new primary", () => c.GroupPrimary() is { } p && p != old, TimeSpan.FromMinutes(2));
            string now = c.GroupPrimary()!;
            Add($"kill -9 {old}: MGR elects a new primary", $"{now} at {c.AddressOf(now)} (member_expel_timeout=0)");
            await c.WaitAsync("the operator's route follows", () => c.LabelledPrimary() == now && c.StatusPrimary() == c.NodeOf(now), TimeSpan.FromMinutes(1));
            Add("the operator's route follows", $"label cdd.io/role=primary and status.primary → {c.NodeOf(now)}");

            current = "move the member to another node";
            await c.LoseNodeOfAsync(old, TimeSpan.FromMinutes(4));
            string newNode = c.NodeOf(old), newAddress = c.AddressOf(old);
            bool same = newAddress == oldAddress && c.Member(old).Text("SELECT @@report_host") == oldAddress;
            Add($"{oldNode} lost: {old} back on {newNode}", $"address {newAddress} ({(same ? "the same" : "CHANGED from " + oldAddress)}), ONLINE", same);
            bool untouched = others.All(m => c.Member(m).Pid == pids[m]);
            long rows = Convert.ToInt64(c.Member(old).Scalar("SELECT COUNT(*) FROM demo.t"), System.Globalization.CultureInfo.InvariantCulture);
            Add("nothing reconfigured on the others; data on the returned member", $"{(untouched ? "same processes, same seeds" : "a member restarted")}; {rows}/3 rows", untouched && rows == 3);
        }
        catch (Exception e)
        {
            steps.Add(new Step(current, $"failed: {e.Message.Split('\n')[0]}", clock.Elapsed.TotalSeconds, false));
        }
        finally
        {
            if (c is not null) await c.DisposeAsync();
        }

        w.WriteLine("MySQL Group Replication on fixed addresses (cdd-cni macvlan + cdd-ipam, two segments, the operator against an in-process API server)");
        Markdown.Table(w, ["", "step", "result", "s"], steps.Select(s => new[] { s.Ok ? "✓" : "✗", s.What, s.Result, s.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) }));
        bool all = steps.All(s => s.Ok);
        w.WriteLine(all
            ? "Shown: a three-member MGR group on fixed IPs survives kill -9 of its primary, the route follows, and the member returns on another node with its address and data."
            : $"MGR demo failed at: {steps.First(s => !s.Ok).What}. Everything it made was removed.");
        return all ? 0 : 1;
    }
}

using System.Diagnostics;
using Cdd.Operator.Model;
using Cdd.Operator.Primary;
using Cdd.Testing.Operator;
using Cdd.Testing.Operator.Mgr;

namespace Cdd.Bench;

/// <summary>
/// The MGR table: real MySQL 9.7 Group Replication under the real operator (the mgr tier's harness: three members on
/// cdd-cni/cdd-ipam addresses, the operator wired as <c>cdd-operator run</c> wires it against the in-process API server).
/// Measured: kill -9 of the primary to MGR's new primary and to the operator's route; the killed member's restart to
/// ONLINE; set_as_primary as raw SQL beside the operator's promoter, and the route following; a complete outage
/// (every mysqld killed, containers restarted) to a group whose primary the route points at. Needs root and the sid
/// MySQL root (<c>./build.sh mgr-root</c>). Flags: --mgr-only, --no-mgr.
/// </summary>
public static class MgrBench
{
    public sealed record Flags(bool Enabled, bool Only);

    const int FailoverRuns = 5, MoveRuns = 6, RebootRuns = 3;
    static readonly TimeSpan Whole = TimeSpan.FromMinutes(4);

    public static (Flags Flags, string[] Others) TakeFlags(string[] args)
    {
        bool enabled = true, only = false;
        var rest = new List<string>();
        foreach (var a in args)
        {
            switch (a)
            {
                case "--no-mgr": enabled = false; break;
                case "--mgr-only": only = true; break;
                default: rest.Add(a); break;
            }
        }
        if (only && !enabled) throw new ArgumentException("--mgr-only and --no-mgr exclude each other");
        return (new Flags(enabled || only, only), rest.ToArray());
    }

    public static void Run(TextWriter w, Action<string> progress, CancellationToken stop) =>
        RunAsync(w, progress, stop).GetAwaiter().GetResult();

    static async Task RunAsync(TextWriter w, Action<string> progress, CancellationToken stop)
    {
        MgrRoot.Require();
        progress("mgr: bootstrapping a three-member group under the operator...");
        var boot = Stopwatch.StartNew();
        Samples elected = new(), routed = new(), rejoined = new(), raw = new(), promoter = new(), promoterRoute = new(), online = new(), rebootRoute = new();
        var c = new MgrCluster();
        await c.InitializeAsync();
        long bootMs = boot.ElapsedMilliseconds;
        string version = "?";
        string? stopped = null;
        try
        {
            version = c.Member(c.GroupPrimary()!).Text("SELECT @@version");
            // A group with data: the operator reboots only a group that committed something (a new one is left to its entrypoint).
            c.Member(c.GroupPrimary()!).Execute("CREATE DATABASE IF NOT EXISTS bench; CREATE TABLE IF NOT EXISTS bench.counter (id INT PRIMARY KEY AUTO_INCREMENT, at DATETIME(6))");
            long written = 0;
            void Write()
            {
                c.Member(c.GroupPrimary()!).Execute("INSERT INTO bench.counter (at) VALUES (NOW(6))");
                written++;
            }
            Write();
            for (int i = 0; i < FailoverRuns; i++)
            {
                stop.ThrowIfCancellationRequested();
                progress($"mgr: failover {i + 1}/{FailoverRuns}...");
                await WholeAsync(c);
                Write();
                string old = c.GroupPrimary()!;
                var clock = Stopwatch.StartNew();
                c.Member(old).Kill9();
                await c.WaitAsync("MGR elects a new primary", () => c.GroupPrimary() is { } p && p != old, TimeSpan.FromMinutes(2));
                elected.Add(clock.Elapsed.TotalMilliseconds);
                string now = c.GroupPrimary()!;
                await c.WaitAsync("the operator's route follows", () => c.LabelledPrimary() == now && c.StatusPrimary() == c.NodeOf(now), TimeSpan.FromMinutes(1));
                routed.Add(clock.Elapsed.TotalMilliseconds);
                var back = Stopwatch.StartNew();
                c.RestartContainer(old);
                await c.WaitAsync($"{old} ONLINE again", () => c.AllOnline(3), Whole);
                rejoined.Add(back.Elapsed.TotalMilliseconds);
            }

            var promote = new MySqlPrimaryPromoter(c.Tracker.EndpointsAsync);
            for (int i = 0; i < MoveRuns; i++)
            {
                stop.ThrowIfCancellationRequested();
                progress($"mgr: set_as_primary {i + 1}/{MoveRuns}...");
                await WholeAsync(c);
                string old = c.GroupPrimary()!;
                string target = c.Pods().Select(p => p.Name()).Where(n => n != old).Order(StringComparer.Ordinal).ElementAt(i % 2);
                var clock = Stopwatch.StartNew();
                if (i % 2 == 0)
                {
                    // What a DBA types: the function on the primary, by the target's server UUID.
                    string uuid = c.Member(target).Text("SELECT @@server_uuid");
                    c.Member(old).Execute($"SELECT group_replication_set_as_primary('{uuid}')");
                    raw.Add(clock.Elapsed.TotalMilliseconds);
                }
                else
                {
                    await promote.PromoteAsync(ClusterSpec.Parse(c.F.Cluster(MgrCluster.Name)!), target, c.AddressOf(target), stop);
                    promoter.Add(clock.Elapsed.TotalMilliseconds);
                    await c.WaitAsync("the route follows the move", () => c.LabelledPrimary() == target && c.StatusPrimary() == c.NodeOf(target), TimeSpan.FromMinutes(1));
                    promoterRoute.Add(clock.Elapsed.TotalMilliseconds);
                }
                if (c.GroupPrimary() != target) throw new InvalidOperationException($"set_as_primary({target}) returned but MGR's primary is {c.GroupPrimary()}");
            }

            for (int i = 0; i < RebootRuns; i++)
            {
                stop.ThrowIfCancellationRequested();
                progress($"mgr: reboot from a complete outage {i + 1}/{RebootRuns}...");
                await WholeAsync(c);
                Write();
                var clock = Stopwatch.StartNew();
                foreach (var m in c.RunningMembers.ToList()) m.Kill9();
                await Task.WhenAll(c.Pods().Select(p => Task.Run(() => c.RestartContainer(p.Name()), stop)));
                await c.WaitAsync("the operator rebooted the group", () => c.AllOnline(3) && c.GroupPrimary() is not null, TimeSpan.FromMinutes(5));
                online.Add(clock.Elapsed.TotalMilliseconds);
                await c.WaitAsync("the route on the rebooted group's primary", () => c.GroupPrimary() is { } p && c.LabelledPrimary() == p, TimeSpan.FromMinutes(1));
                rebootRoute.Add(clock.Elapsed.TotalMilliseconds);
                long rows = Convert.ToInt64(c.Member(c.GroupPrimary()!).Scalar("SELECT COUNT(*) FROM bench.counter"), System.Globalization.CultureInfo.InvariantCulture);
                if (rows != written) throw new InvalidOperationException($"after the reboot the group holds {rows} of the {written} committed rows");
            }

        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stopped = e.Message;
            throw;
        }
        finally
        {
            w.WriteLine("## cdd-operator on real MySQL Group Replication (ms)");
            w.WriteLine();
            w.WriteLine($"MySQL {version}, three members on cdd-cni macvlan addresses from cdd-ipam; " +
                        $"member_expel_timeout={c.Extra["loose-group_replication_member_expel_timeout"]}; the operator's primary watcher polls every {c.Options.PollInterval.TotalMilliseconds:0} ms; " +
                        $"the bench observes every 100 ms (resolution). Group bootstrapped under the operator in {bootMs / 1000.0:0.0} s.");
            w.WriteLine();
            Markdown.Table(w, ["what", "runs", "median", "max"],
            [
                Row("kill -9 primary → MGR's new primary", elected),
                Row("kill -9 primary → operator's route (label + status.primary)", routed),
                Row("killed member's container restarted → ONLINE", rejoined),
                Row("group_replication_set_as_primary, raw SQL on the primary", raw),
                Row("set_as_primary through the operator's promoter", promoter),
                Row("promoter called → operator's route follows", promoterRoute),
                Row("complete outage (kill -9 ×3, restarts) → group ONLINE", online),
                Row("complete outage → route on the rebooted group's primary", rebootRoute),
            ]);
            if (stopped is not null) w.WriteLine($"The run stopped early: {stopped.Split('\n')[0]}");
            w.WriteLine();
            await c.DisposeAsync();
        }
    }

    static string[] Row(string what, Samples s) => [what, s.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Markdown.Ms(s.P50), Markdown.Ms(s.Percentile(100))];

    static Task WholeAsync(MgrCluster c) => c.WholeAsync(Whole);
}

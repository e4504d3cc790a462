using System.Globalization;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Plan;

/// <summary>Renders a finished plan: one row per member, then per-host figures, then a summary line.</summary>
internal static class PlanReport
{
    static readonly string[] MemberHeader = ["CLUSTER", "MEMBER", "NODE", "ROLE", "NETWORK", "STORAGE", "STATE"];
    static readonly string[] HostHeader = ["NODE", "ZONE", "MEMBERS", "PRIMARIES", "CPU-COMMITTED", "NETWORK", "STORAGE"];

    public static void Members(TextWriter o, IReadOnlyList<(ClusterRequest Request, PlacementResult Result)> steps)
    {
        var rows = new List<string[]> { MemberHeader };
        foreach (var (r, res) in steps.Where(s => s.Result.Placed))
            for (int i = 0; i < res.Members.Count; i++)
            {
                var m = res.Members[i];
                rows.Add([r.Name, i.ToString(CultureInfo.InvariantCulture), m.Node, m.IsPrimary ? "PRIMARY" : "SECONDARY",
                    Mode(r.Mode), r.StorageClass, m.IsNew ? "new" : "running"]);
            }
        Table(o, rows);
    }

    public static void Hosts(TextWriter o, IEnumerable<HostState> hosts)
    {
        var rows = new List<string[]> { HostHeader };
        foreach (var h in hosts)
            rows.Add([h.Name, h.Node.Zone.Length > 0 ? h.Node.Zone : "-", h.Members.ToString(CultureInfo.InvariantCulture),
                h.Primaries.ToString(CultureInfo.InvariantCulture), Percent(h.CpuCommittedFraction),
                Counts(h.NetworkModes.OrderBy(kv => kv.Key).Select(kv => (Mode(kv.Key), kv.Value))),
                Counts(h.StorageClasses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value)))]);
        Table(o, rows);
    }

    public static void Summary(TextWriter o, IReadOnlyList<(ClusterRequest Request, PlacementResult Result)> steps, IReadOnlyCollection<HostState> hosts)
    {
        int placed = steps.Count(s => s.Result.Placed);
        var withMembers = hosts.Where(h => h.Members > 0).ToList();
        string spread = withMembers.Count == 0 ? "-"
            : $"{withMembers.Min(h => h.Primaries)}..{withMembers.Max(h => h.Primaries)}";
        o.WriteLine($"placed {placed}/{steps.Count} clusters; primaries per host with members {spread}; " +
            $"CPU committed max {Percent(hosts.Max(h => h.CpuCommittedFraction))}");
    }

    /// <summary>Above this many rejected nodes a refused cluster gets counts per filter instead of a line per node (unless explain).</summary>
    public const int DetailedNodes = 20;

    /// <summary>
    /// Each refused cluster and why: every failing node with all its failed filters when there are at most
    /// <see cref="DetailedNodes"/> (or <paramref name="explain"/>), else how many nodes fail each filter.
    /// </summary>
    public static void Failures(TextWriter o, IReadOnlyList<(ClusterRequest Request, PlacementResult Result)> steps, bool explain = false)
    {
        foreach (var (_, res) in steps.Where(s => !s.Result.Placed))
        {
            o.WriteLine($"cannot place: {res.Failure}");
            if (explain || res.Rejections.Count <= DetailedNodes)
            {
                foreach (var (node, reasons) in res.Rejections)
                    o.WriteLine($"  {node}: {string.Join("; ", reasons)}");
                continue;
            }
            var byFilter = res.Rejections.Values.SelectMany(reasons => reasons.Select(Filter).Distinct())
                .GroupBy(f => f).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
            o.WriteLine($"  {res.Rejections.Count} nodes fail: {string.Join(", ", byFilter.Select(g => $"{g.Key} {g.Count()}"))} (--explain lists every node)");
        }
    }

    // "cpu: 0m committed + ..." → "cpu"; a breaker's reason names its own resource.
    private static string Filter(string reason) => reason.IndexOf(':') is > 0 and var i ? reason[..i] : reason;

    public static string Mode(NetworkMode m) => m.ToString().ToLowerInvariant();

    private static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Counts(IEnumerable<(string Key, int Count)> counts)
    {
        var s = string.Join(",", counts.Where(c => c.Count > 0).Select(c => $"{c.Key}={c.Count}"));
        return s.Length > 0 ? s : "-";
    }

    private static void Table(TextWriter o, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var r in rows)
            o.WriteLine(string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cdd.Operator.Placement;
using Cdd.Operator.Plan;
using Cdd.Testing;

namespace Cdd.Bench;

/// <summary>
/// The operator table: `cdd-operator plan` of 3,000 three-member clusters on 500 hosts, from a seeded inventory written
/// as nodes.yaml and clusters.yaml into a temporary folder. The published binary is timed as a process, end to end; the
/// engine (Planner) alone is timed in-process. Beside it, in the same run, a naive round-robin spread over the same hosts.
/// Needs no root. Flags (taken out of the arguments before the CNI options are parsed): --operator-only, --no-operator.
/// </summary>
public static partial class OperatorBench
{
    public sealed record Flags(bool Enabled, bool Only);

    const int HostCount = 500, ClusterCount = 3000, MembersPerCluster = 3, Seed = 20261124;
    const int EngineRuns = 7, ProcessRuns = 5, WarmUps = 1;
    const double Ceiling = ClusterRequest.DefaultOverCommitCeiling;
    static readonly string[] Zones = ["a", "b", "c"];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static (Flags Flags, string[] Others) TakeFlags(string[] args)
    {
        bool enabled = true, only = false;
        var rest = new List<string>();
        foreach (var a in args)
        {
            switch (a)
            {
                case "--no-operator": enabled = false; break;
                case "--operator-only": only = true; break;
                default: rest.Add(a); break;
            }
        }
        if (only && !enabled) throw new ArgumentException("--operator-only and --no-operator exclude each other");
        return (new Flags(enabled || only, only), rest.ToArray());
    }

    /// <summary>One placement's figures over the hosts, whichever strategy produced them.</summary>
    sealed record Outcome(string Label, string Process, string Engine, int Placed, int Refused,
        int[] Primaries, int[] Members, double[] CpuFraction, int MembersOnTripped);

    public static void Run(TextWriter w, Action<string> progress, CancellationToken stop)
    {
        string binary = RepoRoot.Published("cdd-operator", "deploy/operator/Cdd.Operator/Cdd.Operator.csproj");
        string dir = Directory.CreateTempSubdirectory("cdd-bench-operator-").FullName;
        try
        {
            var (nodesYaml, clustersYaml) = Generate();
            string nodesFile = Path.Combine(dir, "nodes.yaml"), clustersFile = Path.Combine(dir, "clusters.yaml");
            File.WriteAllText(nodesFile, nodesYaml);
            File.WriteAllText(clustersFile, clustersYaml);

            progress($"operator: engine in-process ({WarmUps} warm-up + {EngineRuns} runs)...");
            var load = new Samples();
            var plan = new Samples();
            var render = new Samples();
            var robin = new Samples();
            var cold = (Load: 0.0, Plan: 0.0, Render: 0.0);
            PlanInput input = null!;
            Planner planner = null!;
            List<(ClusterRequest, PlacementResult)> steps = null!;
            RoundRobin spread = null!;
            for (int i = -WarmUps; i < EngineRuns; i++)
            {
                stop.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                input = PlanInput.Load(nodesFile, clustersFile);
                double loaded = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                planner = new Planner(input.Nodes, input.Members);
                // As `cdd-operator plan` does: the most constrained clusters first.
                steps = planner.MostConstrainedFirst(input.Clusters).Select(c => (c, planner.Place(c))).ToList();
                double planned = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                Render(steps, planner);
                double rendered = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                spread = RoundRobin.Place(input.Nodes, input.Clusters);
                double spreadMs = clock.Elapsed.TotalMilliseconds;
                if (i == -WarmUps) cold = (loaded, planned, rendered);
                if (i < 0) continue;
                load.Add(loaded);
                plan.Add(planned);
                render.Add(rendered);
                robin.Add(spreadMs);
            }

            progress($"operator: cdd-operator plan as a process ({WarmUps} warm-up + {ProcessRuns} runs)...");
            int placed = steps.Count(s => s.Item2.Placed);
            var process = new Samples();
            var processCpu = new Samples();
            var floor = new Samples();
            long rss = 0;
            string samples = Path.Combine(RepoRoot.Path, "deploy", "operator", "samples");
            var output = (Out: 0, Err: 0);
            for (int i = -WarmUps; i < ProcessRuns; i++)
            {
                stop.ThrowIfCancellationRequested();
                var run = RunPlan(binary, nodesFile, clustersFile);
                if (run.Placed != placed)
                    throw new InvalidOperationException($"cdd-operator plan placed {run.Placed} clusters, the engine in-process {placed}: not the same engine?");
                var small = RunPlan(binary, Path.Combine(samples, "nodes.yaml"), Path.Combine(samples, "clusters.yaml"));
                if (i < 0) continue;
                process.Add(run.Ms);
                processCpu.Add(run.CpuMs);
                rss = Math.Max(rss, run.MaxRssKiB);
                floor.Add(small.Ms);
                output = (run.OutLines, run.ErrLines);
            }

            var tripped = input.Nodes.Select(n => BreakerThresholds.Default.IsTripped(n.Pressure)).ToArray();
            var hosts = planner.Hosts.ToDictionary(h => h.Name, StringComparer.Ordinal);
            var ordered = input.Nodes.Select(n => hosts[n.Name]).ToArray();
            var outcomes = new[]
            {
                new Outcome("cdd-operator plan (Planner)", Seconds(process.P50), Markdown.Ms(plan.P50), placed, steps.Count - placed,
                    ordered.Select(h => h.Primaries).ToArray(), ordered.Select(h => h.Members).ToArray(), ordered.Select(h => h.CpuCommittedFraction).ToArray(),
                    ordered.Where((_, i) => tripped[i]).Sum(h => h.Members)),
                new Outcome("round-robin spread (ignores every filter)", "n/a (in-process only)", Markdown.Ms(robin.P50), input.Clusters.Count, 0,
                    spread.Primaries, spread.Members, spread.CpuFraction(input.Nodes), spread.Members.Where((_, i) => tripped[i]).Sum()),
            };
            Write(w, input, tripped, outcomes);
            w.WriteLine($"The process: CPU time (user + sys, every thread) p50 {Markdown.Ms(processCpu.P50)} ms, peak RSS {Markdown.KiB(rss)}. " +
                        $"Where its time goes. In-process, warm (p50, ms): read and validate both YAML files {Markdown.Ms(load.P50)}, " +
                        $"plan {Markdown.Ms(plan.P50)}, render the report into memory {Markdown.Ms(render.P50)}. The same phases on their first run in this " +
                        $"process (cold JIT, as in a one-shot `plan`): {Markdown.Ms(cold.Load)}, {Markdown.Ms(cold.Plan)}, {Markdown.Ms(cold.Render)}. " +
                        $"Start-up floor: `cdd-operator plan` of deploy/operator/samples (7 nodes, 5 clusters) p50 {Markdown.Ms(floor.P50)} ms. " +
                        $"The big run writes {output.Out:N0} lines to stdout and {output.Err:N0} to stderr (one line per member and per host; a refused cluster gets its failing nodes counted per filter).");
            w.WriteLine();
            double seconds = process.P50 / 1000;
            w.WriteLine($"goal: cdd-operator plan of {ClusterCount:N0} clusters on {HostCount} hosts, end to end {seconds:0.00} s (goal < 2 s: {(seconds < 2 ? "met" : "not met")})");
            w.WriteLine();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static void Write(TextWriter w, PlanInput input, bool[] tripped, Outcome[] outcomes)
    {
        var nodes = input.Nodes;
        long allocatable = nodes.Sum(n => n.AllocatableCpuMillis);
        long requested = input.Clusters.Sum(c => c.CpuMillis * c.Members);
        int Count(Func<NodeInventory, bool> f) => nodes.Count(f);
        int Modes(NetworkMode m) => input.Clusters.Count(c => c.Mode == m);
        int Classes(string sc) => input.Clusters.Count(c => c.StorageClass == sc);

        w.WriteLine($"## cdd-operator placement ({ClusterCount:N0} clusters of {MembersPerCluster} members on {HostCount} hosts)");
        w.WriteLine();
        string load = File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        w.WriteLine($"{Environment.ProcessorCount} CPUs, load average {load} at the end (the machine is shared: wall times move with it), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. A seeded inventory (seed {Seed}), written as nodes.yaml and clusters.yaml: " +
                    $"{nodes.Count} hosts in zones {string.Join(", ", Zones)}, {nodes.Min(n => n.AllocatableCpuMillis) / 1000}-{nodes.Max(n => n.AllocatableCpuMillis) / 1000} " +
                    $"allocatable CPUs each ({allocatable / 1000:N0} in all), {Count(n => n.Network.FreeSriovVfs > 0)} with free SR-IOV VFs, " +
                    $"{Count(n => n.Network.MacvlanMaster)} with a MacVLAN master, {Count(n => n.Network.Overlay)} on the overlay, " +
                    $"{Count(n => n.Storage.Any(s => s.StorageClass == "san"))} reaching san beside local-lvm, " +
                    $"{tripped.Count(t => t)} with pressure over a default breaker. Clusters: {Modes(NetworkMode.Sriov)} sriov, {Modes(NetworkMode.Macvlan)} macvlan, " +
                    $"{Modes(NetworkMode.Overlay)} overlay; {Classes("local-lvm")} on local-lvm, {Classes("san")} on san; " +
                    $"{input.Clusters.Count(c => c.Zones.Count > 0)} limited to two zones; CPU requests of all members together " +
                    $"{100.0 * requested / allocatable:0}% of allocatable (the ceiling per host is {Ceiling * 100:0}%), placed most constrained first (fewest eligible hosts), as `cdd-operator plan` does.");
        w.WriteLine();
        w.WriteLine($"### Placement of {ClusterCount:N0} clusters: cdd-operator beside a round-robin spread");
        w.WriteLine();
        Markdown.Table(w,
            ["placement", "wall time, process end to end", "engine alone, in-process p50 (ms)", "clusters placed / refused", "primaries per host max−min",
             "primaries max per host", "CPU committed / allocatable, max host", $"hosts above {Ceiling * 100:0}%", "members on breaker-tripped hosts"],
            outcomes.Select(o => new[]
            {
                o.Label, o.Process, o.Engine, $"{o.Placed:N0} / {o.Refused:N0}",
                (o.Primaries.Max() - o.Primaries.Min()).ToString(Inv), o.Primaries.Max().ToString(Inv),
                $"{o.CpuFraction.Max() * 100:0}%", o.CpuFraction.Count(f => f > Ceiling).ToString(Inv), o.MembersOnTripped.ToString(Inv),
            }));
        w.WriteLine($"Wall time: `out/cdd-operator plan --inventory nodes.yaml --clusters clusters.yaml` from exec to exit, output read and discarded " +
                    $"(p50 of {ProcessRuns} runs after {WarmUps} warm-up; start-up, YAML, planning and printing every member and host). " +
                    $"Engine alone: a new Planner and Place() for every cluster on the already parsed input, p50 of {EngineRuns} runs after {WarmUps} warm-up; " +
                    "for round-robin, the same loop over its own rule. Placed / refused: clusters that got all their members / none (a refused cluster books nothing). " +
                    $"Primaries per host: over all {HostCount} hosts, breaker-tripped ones included. CPU committed / allocatable: the MySQL CPU requests on a host " +
                    $"over its allocatable CPU, the largest over hosts; hosts above {Ceiling * 100:0}%: hosts past the over-commit ceiling. " +
                    "Members on breaker-tripped hosts: members placed on a host whose pressure trips a default breaker. Round-robin gives each member " +
                    "the next host that holds no member of its cluster yet, the first member being the primary, and ignores capacity (CPU, memory, storage, VFs), " +
                    "network capability, zones and breakers: it refuses nothing because it checks nothing. " +
                    string.Join("; ", outcomes.Select(o =>
                    {
                        var used = o.Primaries.Where((_, i) => o.Members[i] > 0).ToArray();
                        return $"{o.Label}: {o.Members.Count(m => m == 0)} hosts without any member, primaries per host with members {used.Min()}..{used.Max()}";
                    })) + ".");
        w.WriteLine();
    }

    static string Seconds(double ms) => $"{ms / 1000:0.00} s";

    static void Render(List<(ClusterRequest, PlacementResult)> steps, Planner planner)
    {
        var o = new StringWriter();
        PlanReport.Members(o, steps);
        PlanReport.Hosts(o, planner.Hosts);
        PlanReport.Summary(o, steps, planner.Hosts);
        PlanReport.Failures(o, steps);
    }

    [GeneratedRegex(@"^placed (?<n>[0-9]+)/[0-9]+ clusters", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    sealed record PlanRun(double Ms, double CpuMs, long MaxRssKiB, int Placed, int OutLines, int ErrLines);

    // Exit 0 (all placed) and 1 (some refused) are both a finished plan; 2 is invalid input. GNU time (the bench's
    // RSS tool too) reports the child's CPU time and peak RSS into a file, so stdout and stderr stay the plan's.
    static PlanRun RunPlan(string binary, string nodes, string clusters)
    {
        const string time = "/usr/bin/time";
        if (!File.Exists(time)) throw new InvalidOperationException($"{time} is missing: apt-get install time");
        string report = Path.GetTempFileName();
        try
        {
            var clock = Stopwatch.StartNew();
            var run = Exec.Run(time, ["-f", "%U %S %M", "-o", report, binary, "plan", "--inventory", nodes, "--clusters", clusters],
                timeoutMs: 600_000);
            double ms = clock.Elapsed.TotalMilliseconds;
            string err = run.Stderr;
            if (run.ExitCode is not (0 or 1))
                throw new InvalidOperationException($"cdd-operator plan exited {run.ExitCode}: {err[..Math.Min(err.Length, 2000)]}");
            string text = run.Stdout;
            var m = SummaryLine().Match(text);
            if (!m.Success) throw new InvalidOperationException("cdd-operator plan printed no summary line");
            // With a non-zero exit GNU time writes "Command exited with non-zero status 1" first; the figures are the last line.
            var figures = File.ReadAllText(report).Trim().Split('\n')[^1].Split(' ');
            double cpu = (double.Parse(figures[0], Inv) + double.Parse(figures[1], Inv)) * 1000;
            return new PlanRun(ms, cpu, long.Parse(figures[2], Inv), int.Parse(m.Groups["n"].Value, Inv), text.Count(c => c == '\n'), err.Count(c => c == '\n'));
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>The naive spread: every member to the next host (in inventory order) that holds no member of its cluster.</summary>
    sealed class RoundRobin
    {
        public required int[] Primaries { get; init; }
        public required int[] Members { get; init; }
        public required long[] CpuMillis { get; init; }

        public double[] CpuFraction(IReadOnlyList<NodeInventory> nodes) =>
            nodes.Select((n, i) => (double)(n.MysqlCpuMillis + CpuMillis[i]) / n.AllocatableCpuMillis).ToArray();

        public static RoundRobin Place(IReadOnlyList<NodeInventory> nodes, IReadOnlyList<ClusterRequest> clusters)
        {
            int n = nodes.Count, next = 0;
            var r = new RoundRobin { Primaries = new int[n], Members = new int[n], CpuMillis = new long[n] };
            var taken = new HashSet<int>();
            foreach (var c in clusters)
            {
                taken.Clear();
                for (int m = 0; m < Math.Min(c.Members, n); m++)
                {
                    while (taken.Contains(next)) next = (next + 1) % n;
                    taken.Add(next);
                    if (m == 0) r.Primaries[next]++;
                    r.Members[next]++;
                    r.CpuMillis[next] += c.CpuMillis;
                    next = (next + 1) % n;
                }
            }
            return r;
        }
    }

    // The inventory and the clusters, as YAML in the documented format (deploy/operator/README.md, `plan`). Hosts are
    // numbered in zone rotation, so inventory order (which round-robin follows) alternates zones as a rack list would.
    static (string Nodes, string Clusters) Generate()
    {
        var rng = new Random(Seed);
        double Between(double lo, double hi) => lo + rng.NextDouble() * (hi - lo);
        string F(double x) => x.ToString("0.00", Inv);

        var nodes = new StringBuilder("nodes:\n");
        for (int i = 0; i < HostCount; i++)
        {
            int cores = 64 + 8 * rng.Next(5); // 64, 72, 80, 88 or 96
            int cpu = cores - 2, memGi = cores * 8 - 16; // system reserved
            int vfs = rng.NextDouble() < 0.4 ? rng.Next(0, 33) : 0;
            bool macvlan = rng.NextDouble() < 0.7, overlay = rng.NextDouble() < 0.97;
            var pressure = new[] { Between(0.1, 0.6), Between(0.2, 0.7), Between(0.05, 0.5), Between(0.1, 0.6) };
            if (i % 50 == 7) pressure[i / 50 % 4] = 0.95; // ten hosts, each tripping one breaker (cpu, memory, network, disk in turn)
            nodes.Append(Inv, $"  - name: db-{Zones[i % Zones.Length]}{i / Zones.Length + 1:000}\n");
            nodes.Append(Inv, $"    zone: {Zones[i % Zones.Length]}\n");
            nodes.Append(Inv, $"    allocatable: {{ cpu: \"{cpu}\", memory: {memGi}Gi }}\n");
            nodes.Append(Inv, $"    network: {{ sriovFreeVfs: {vfs}, macvlanMaster: {(macvlan ? "true" : "false")}, overlay: {(overlay ? "true" : "false")} }}\n");
            nodes.Append("    storage:\n");
            nodes.Append(Inv, $"      - {{ class: local-lvm, free: {4096 + 512 * rng.Next(9)}Gi }}\n");
            if (rng.NextDouble() < 0.6) nodes.Append(Inv, $"      - {{ class: san, free: {20 + rng.Next(31)}Ti }}\n");
            nodes.Append(Inv, $"    pressure: {{ cpu: {F(pressure[0])}, memory: {F(pressure[1])}, network: {F(pressure[2])}, disk: {F(pressure[3])} }}\n");
        }

        // CPU per member in cores, weighted towards the middle; with the hosts above the members ask ~150 % of allocatable.
        int[] cpus = [2, 2, 4, 4, 6, 6, 8, 8, 12, 12];
        string[][] zonePairs = [["a", "b"], ["b", "c"], ["a", "c"]];
        var clusters = new StringBuilder("clusters:\n");
        for (int i = 0; i < ClusterCount; i++)
        {
            double r = rng.NextDouble();
            string mode = r < 0.25 ? "sriov" : r < 0.6 ? "macvlan" : "overlay";
            bool local = rng.NextDouble() < (mode == "overlay" ? 0.5 : 0.7);
            string size = local ? $"{100 + 50 * rng.Next(9)}Gi" : $"{200 + 100 * rng.Next(9)}Gi";
            int cpu = cpus[rng.Next(cpus.Length)];
            clusters.Append(Inv, $"  - name: c{i + 1:0000}\n");
            clusters.Append(Inv, $"    members: {MembersPerCluster}\n");
            clusters.Append(Inv, $"    networkMode: {mode}\n");
            clusters.Append(Inv, $"    storage: {{ class: {(local ? "local-lvm" : "san")}, size: {size} }}\n");
            clusters.Append(Inv, $"    resources: {{ cpu: \"{cpu}\", memory: {cpu * 4}Gi }}\n");
            if (rng.NextDouble() < 0.1) clusters.Append(Inv, $"    zones: [{string.Join(", ", zonePairs[rng.Next(zonePairs.Length)])}]\n");
        }
        return (nodes.ToString(), clusters.ToString());
    }
}

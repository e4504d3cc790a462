using Cdd.Testing.Ipam;

namespace Cdd.Bench;

/// <summary>
/// The IPAM table: 10 node agents (each its own client, reservation store with watch cache, and IpamService)
/// allocate 1,000 addresses at once from one IPPool through the in-process API server on loopback, with pool size =
/// demand and = 2x demand; beside them Spiderpool's published 1,000-pod figures for reference.
/// </summary>
public static class IpamBench
{
    public static string Report(CancellationToken ct)
    {
        var w = new StringWriter();
        var runs = new List<(string Label, IpamScaleRun.Result R)>();
        // A small run first, discarded, so JIT compilation of client, store and server is not billed to the first pods.
        IpamScaleRun.RunAsync(new IpamScaleRun.Options { Demand = 100 }, ct).GetAwaiter().GetResult();
        foreach (int factor in new[] { 1, 2 })
        {
            Console.Error.WriteLine($"IPAM: 10 agents, 1,000 addresses, pool = {factor}x demand...");
            var o = new IpamScaleRun.Options { PoolFactor = factor };
            runs.Add(($"cdd-ipam, pool = {(factor == 1 ? "demand" : "2x demand")} ({o.Demand * factor} addresses)", IpamScaleRun.RunAsync(o, ct).GetAwaiter().GetResult()));
        }

        w.WriteLine("### IPAM: 1,000 addresses from 10 node agents at once");
        w.WriteLine();
        w.WriteLine("Each agent has its own KubernetesClient, IPReservation store with a list+watch cache and IpamService, and starts 4 pods " +
                    "at a time, like kubelet; the API server is the in-process fake on loopback (every request is real HTTP and JSON). " +
                    "One pool, one segment per rack of two nodes, every other segment reachable through the trunk. Latency is per pod, " +
                    "from its first ADD try to its address; conflicts are claims lost to another writer (409, or already in the cache) and tried on the next address.");
        w.WriteLine();
        Markdown.Table(w, ["IPAM", "time to 1,000 addresses", "allocation p50 (ms)", "allocation p99 (ms)", "conflicts retried", "duplicates"],
        [
            .. runs.Select(r =>
            {
                var lat = new Samples();
                foreach (var p in r.R.Pods) lat.Add(p.Latency.TotalMilliseconds);
                return new[] { r.Label, $"{r.R.Elapsed.TotalSeconds:0.00} s", Markdown.Ms(lat.P50), Markdown.Ms(lat.P99), r.R.Pods.Sum(p => p.Conflicts).ToString(), Duplicates(r.R).ToString() };
            }),
            ["Spiderpool (published, 1,000 pods, real cluster, end to end)", "182-207 s", "n/a", "n/a", "n/a", "0"],
            ["whereabouts (same publication, pool size = demand)", "failed", "n/a", "n/a", "n/a", "n/a"],
        ]);
        w.WriteLine("The Spiderpool and whereabouts rows are the figures Spiderpool publishes for creating 1,000 pods on a real cluster " +
                    "(pod start end to end, not IPAM alone): for reference, not a same-machine comparison.");
        w.WriteLine();
        var first = runs[0].R;
        bool met = first.Elapsed < TimeSpan.FromSeconds(5) && Duplicates(first) == 0 && runs.All(r => Duplicates(r.R) == 0);
        w.WriteLine($"goal: IPAM part of 1,000 pods (pool = demand) {first.Elapsed.TotalSeconds:0.00} s, duplicates {Duplicates(first)} " +
                    $"(goal < 5 s with 0 duplicates: {(met ? "met" : "not met")})");
        w.WriteLine();
        return w.ToString();
    }

    static int Duplicates(IpamScaleRun.Result r) => r.Pods.Count - r.Pods.Select(p => p.Address).Distinct().Count();
}

namespace Cdd.Bench;

/// <summary>ADD and DEL latencies of one plugin over the pods.</summary>
public sealed record Latency(Plugin Plugin, Samples Add, Samples Del);

/// <summary>
/// Runs ADD for every pod and then DEL for every pod with several plugins side by side, each on
/// its own set of pod namespaces, rotating which goes first from pod to pod so none always
/// meets a warmer cache or a busier node.
/// </summary>
public static class LatencyRun
{
    const int WarmUps = 3;

    public static List<Latency> Interleaved(IReadOnlyList<(Plugin Plugin, IReadOnlyList<string> Pods)> runs, Action<string> progress, CancellationToken stop)
    {
        var results = runs.Select(r => new Latency(r.Plugin, new Samples(), new Samples())).ToList();
        foreach (var (plugin, pods) in runs) WarmUp(plugin, pods[0], stop);

        int count = runs.Min(r => r.Pods.Count);
        string labels = string.Join(" / ", runs.Select(r => r.Plugin.Label));
        foreach (var verb in new[] { "ADD", "DEL" })
        {
            for (int i = 0; i < count; i++)
            {
                for (int k = 0; k < runs.Count; k++)
                {
                    stop.ThrowIfCancellationRequested();
                    int j = (i + k) % runs.Count;
                    var r = runs[j].Plugin.Must(verb, i, BenchLab.NetnsPath(runs[j].Pods[i]));
                    (verb == "ADD" ? results[j].Add : results[j].Del).Add(r.Ms);
                }
                if ((i + 1) % 50 == 0) progress($"{labels}: {verb} {i + 1}/{count}");
            }
        }
        return results;
    }

    // First runs pay for page-cache misses and lazy node setup (the overlay's bridge and VXLAN); not counted.
    static void WarmUp(Plugin p, string pod, CancellationToken stop)
    {
        for (int i = 0; i < WarmUps; i++)
        {
            stop.ThrowIfCancellationRequested();
            p.Must("ADD", -1 - i, BenchLab.NetnsPath(pod));
            p.Must("DEL", -1 - i, BenchLab.NetnsPath(pod));
        }
    }
}

namespace Cdd.Bench;

/// <summary>Bare start-up: exec to exit of `CNI_COMMAND=VERSION`, the binaries taking turns round by round.</summary>
public static class StartupRun
{
    public static Dictionary<string, Samples> Measure(IReadOnlyList<(string Label, string Binary)> binaries, int runs, CancellationToken stop)
    {
        var env = new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" };
        var result = binaries.ToDictionary(b => b.Label, _ => new Samples());
        for (int round = -5; round < runs; round++) // five unrecorded rounds warm the page cache
        {
            for (int k = 0; k < binaries.Count; k++)
            {
                stop.ThrowIfCancellationRequested();
                var (label, binary) = binaries[(k + Math.Max(round, 0)) % binaries.Count];
                var r = PluginCall.Run(binary, env, NetConfs.VersionQuery);
                if (r.ExitCode != 0) throw new InvalidOperationException($"{label} VERSION exited {r.ExitCode}: {r.Stdout} {r.Stderr}");
                if (round >= 0) result[label].Add(r.Ms);
            }
        }
        return result;
    }
}

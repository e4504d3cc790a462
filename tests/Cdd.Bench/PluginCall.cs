using System.Diagnostics;

namespace Cdd.Bench;

public sealed record CallResult(int ExitCode, string Stdout, string Stderr, double Ms);

/// <summary>
/// One plugin invocation exactly as a runtime makes it: a fresh process with only the CNI
/// variables (and PATH) in its environment, the config on stdin, stdout and stderr collected,
/// and the caller blocked until it exits. The clock covers exec to exit and drained output.
/// The child inherits the calling thread's network namespace, so callers run inside the bench node.
/// </summary>
public static class PluginCall
{
    const int TimeoutMs = 30_000;

    public static CallResult Run(string binary, IReadOnlyDictionary<string, string> env, string stdin) =>
        Exec(binary, [], env, stdin);

    /// <summary>
    /// The peak resident set of one invocation from the kernel's rusage (ru_maxrss, via GNU
    /// time's %M). For a plugin that execs its IPAM it is the larger of the two, since a waited
    /// child's rusage carries the maximum of its own waited children.
    /// </summary>
    public static (CallResult Call, long MaxRssKiB) RunMeasuringRss(string binary, IReadOnlyDictionary<string, string> env, string stdin)
    {
        const string time = "/usr/bin/time";
        if (!File.Exists(time)) throw new InvalidOperationException($"{time} is missing: apt-get install time");
        string report = Path.GetTempFileName();
        try
        {
            // time's own line goes to the report file, so the plugin's stdout stays what the runtime would read
            var call = Exec(time, ["-f", "%M", "-o", report, binary], env, stdin);
            var lines = File.ReadAllText(report).Trim().Split('\n');
            return (call, long.TryParse(lines[^1], out var kib) ? kib : -1);
        }
        finally
        {
            File.Delete(report);
        }
    }

    static CallResult Exec(string file, string[] args, IReadOnlyDictionary<string, string> env, string stdin)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var (k, v) in env) psi.Environment[k] = v;

        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // EPIPE: the program exited without reading its stdin (/bin/true does)
        }
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within {TimeoutMs} ms");
        }
        string err = stderr.GetAwaiter().GetResult();
        clock.Stop();
        return new CallResult(p.ExitCode, stdout, err, clock.Elapsed.TotalMilliseconds);
    }
}

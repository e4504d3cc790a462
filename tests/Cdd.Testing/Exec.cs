using System.Diagnostics;
using System.Text;

namespace Cdd.Testing;

public sealed record ExecResult(int ExitCode, string Stdout, string Stderr)
{
    public ExecResult EnsureSuccess(string what)
    {
        if (ExitCode != 0) throw new InvalidOperationException($"{what} exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }
}

/// <summary>Runs a program with an argument vector (never a shell), optional env and stdin.</summary>
public static class Exec
{
    public static ExecResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? stdin = null, bool clearEnv = false, int timeoutMs = 60_000)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (clearEnv)
        {
            var keep = new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" };
            foreach (var k in psi.Environment.Keys.ToList())
                if (!keep.Contains(k)) psi.Environment.Remove(k);
        }
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
        }
        p.WaitForExit();
        return new ExecResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static ExecResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);
}

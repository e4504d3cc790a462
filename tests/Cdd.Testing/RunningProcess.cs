using System.Diagnostics;
using System.Text;

namespace Cdd.Testing;

/// <summary>
/// A started program: argument vector (never a shell), stdout and stderr captured line by line (and both, in order,
/// in <see cref="Output"/>), stdin written and closed. Dispose kills its whole process tree if it still runs, so a
/// test that fails half-way leaves no process behind.
/// </summary>
public sealed class RunningProcess : IDisposable
{
    // What a cleared environment keeps: the program must still be found and .NET must still start.
    static readonly string[] KeptWhenCleared = ["PATH", "HOME", "DOTNET_ROOT", "TMPDIR"];

    readonly Process _p;
    readonly StringBuilder _stdout = new(), _stderr = new(), _output = new();
    readonly string _what;

    RunningProcess(Process p, string what)
    {
        _p = p;
        _what = what;
    }

    public static RunningProcess Start(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? stdin = null, bool clearEnv = false, Action<string>? onStderrLine = null)
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
            foreach (var k in psi.Environment.Keys.ToList())
                if (!KeptWhenCleared.Contains(k)) psi.Environment.Remove(k);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var r = new RunningProcess(p, $"{file} {string.Join(' ', psi.ArgumentList)}");
        p.OutputDataReceived += (_, e) => r.Append(r._stdout, e.Data);
        p.ErrorDataReceived += (_, e) =>
        {
            r.Append(r._stderr, e.Data);
            if (e.Data is not null) onStderrLine?.Invoke(e.Data);
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            if (stdin is not null) p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // EPIPE: the program exited without reading its stdin; its exit code tells the rest.
        }
        return r;
    }

    public int Id => _p.Id;

    public bool HasExited => _p.HasExited;

    public int ExitCode => _p.ExitCode;

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    /// <summary>stdout and stderr interleaved as the lines arrived: a daemon's log.</summary>
    public string Output => Read(_output);

    /// <summary>True when the program exited within <paramref name="timeout"/>, its output read to the end.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_p.WaitForExit(timeout)) return false;
        _p.WaitForExit(); // drains the asynchronous readers
        return true;
    }

    /// <summary>The exit code and output; past <paramref name="timeout"/> the process tree is killed and this throws.</summary>
    public ExecResult WaitForResult(TimeSpan timeout)
    {
        if (!WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{_what} did not finish in {timeout.TotalMilliseconds:0} ms; killed it\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        return new ExecResult(_p.ExitCode, Stdout, Stderr);
    }

    /// <summary>SIGKILL to the program and everything it started; returns once it is gone.</summary>
    public void Kill()
    {
        try { _p.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // already exited
        _p.WaitForExit();
    }

    public void Dispose()
    {
        if (!_p.HasExited) Kill();
        _p.Dispose();
    }

    void Append(StringBuilder into, string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            into.AppendLine(line);
            if (into != _output) _output.AppendLine(line);
        }
    }

    string Read(StringBuilder b)
    {
        lock (_output) return b.ToString();
    }
}

namespace Cdd.Testing;

/// <summary>Runs a program to its end with an argument vector (never a shell), optional env and stdin, and a timeout.</summary>
public static class Exec
{
    /// <summary>The program's exit code and output; past <paramref name="timeoutMs"/> its whole process tree is killed and this throws.</summary>
    public static ExecResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? stdin = null, bool clearEnv = false, int timeoutMs = 60_000)
    {
        using var p = RunningProcess.Start(file, args, env, stdin, clearEnv);
        return p.WaitForResult(TimeSpan.FromMilliseconds(timeoutMs));
    }

    public static ExecResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);
}

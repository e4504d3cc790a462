namespace Cdd.Testing;

public sealed record ExecResult(int ExitCode, string Stdout, string Stderr)
{
    public ExecResult EnsureSuccess(string what)
    {
        if (ExitCode != 0) throw new InvalidOperationException($"{what} exited {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }
}

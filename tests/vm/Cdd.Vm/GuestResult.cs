namespace Cdd.Vm;

/// <summary>A script's exit code and output as the guest reported them.</summary>
public sealed record GuestResult(int ExitCode, string Stdout, string Stderr)
{
    public GuestResult EnsureSuccess(string what)
    {
        if (ExitCode != 0) throw new InvalidOperationException($"{what} exited {ExitCode} in the guest\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }
}

using System.Diagnostics;
using Cdd.Csi.Errors;

namespace Cdd.Csi;

/// <summary>Runs a real tool with an argument vector (never a shell), a timeout, and collects its output.</summary>
internal static class Tool
{
    /// <summary>
    /// For lvm2 and blkid: a bare `lvs` takes ~1 s in the VM guest and 3.4 s when the host is overloaded. A tool still
    /// running after this is hung (a stuck device, a held lvm lock), not slow.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    internal sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string file, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // lvm2 warns about inherited descriptors (the gRPC socket); they are harmless.
        psi.Environment["LVM_SUPPRESS_FD_WARNINGS"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        // Not tied to the RPC's cancellation: a half-done lvcreate must finish so that the repeated call finds its
        // result. Only a tool hung past its timeout is killed: it would hold the RPC and the volume group's lock forever.
        using var timer = new CancellationTokenSource(limit);
        try
        {
            await p.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it exited just now
            await p.WaitForExitAsync(CancellationToken.None);
            throw new ToolTimeoutException(file, args, limit);
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    public static async Task<Result> RunCheckedAsync(string file, IReadOnlyList<string> args, TimeSpan? timeout = null)
    {
        var r = await RunAsync(file, args, timeout);
        if (r.ExitCode != 0) throw new ToolException(file, args, r.ExitCode, r.Stderr);
        return r;
    }
}

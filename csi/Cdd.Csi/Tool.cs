using System.Diagnostics;
using Cdd.Csi.Errors;

namespace Cdd.Csi;

/// <summary>Runs a real tool with an argument vector (never a shell) and collects its output.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string file, IReadOnlyList<string> args, CancellationToken ct = default)
    {
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
        // Not cancelled: a half-done lvcreate must finish so that the repeated call finds its result.
        await p.WaitForExitAsync(CancellationToken.None);
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    public static async Task<Result> RunCheckedAsync(string file, IReadOnlyList<string> args)
    {
        var r = await RunAsync(file, args);
        if (r.ExitCode != 0) throw new ToolException(file, args, r.ExitCode, r.Stderr);
        return r;
    }
}

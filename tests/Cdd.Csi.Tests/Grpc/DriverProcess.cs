using System.Diagnostics;
using Cdd.Testing;

namespace Cdd.Csi.Tests.Grpc;

/// <summary>The published native-AOT cdd-csi running on the host on a Unix socket in a temp folder; killed on dispose.</summary>
public sealed class DriverProcess : IDisposable
{
    readonly Process _p;
    readonly TempDir _dir;

    public DriverProcess(TempDir? dir = null, params string[] extraArgs)
    {
        _dir = dir ?? new TempDir("cdd-csi");
        Socket = Path.Combine(_dir.Path, "csi.sock");
        var psi = new ProcessStartInfo(RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["--endpoint", "unix://" + Socket, "--node-id", "host-node", "--volume-groups", "vg1", .. extraArgs])
            psi.ArgumentList.Add(a);
        _p = Process.Start(psi)!;
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (Log) Log.AppendLine(e.Data); };
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Log) Log.AppendLine(e.Data); };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
        // Ready when the log says it listens (it chmods the socket just before); bounded by the process living.
        while (!LogText.Contains("csi.listening"))
        {
            if (_p.WaitForExit(20)) throw new InvalidOperationException($"cdd-csi exited {_p.ExitCode}:\n{LogText}");
        }
    }

    public string Socket { get; }

    public System.Text.StringBuilder Log { get; } = new();

    public string LogText
    {
        get { lock (Log) return Log.ToString(); }
    }

    public void Dispose()
    {
        if (!_p.HasExited) _p.Kill();
        _p.WaitForExit();
        _p.Dispose();
        _dir.Dispose();
    }
}

using Cdd.Testing;

namespace Cdd.Csi.Tests.Grpc;

/// <summary>The published native-AOT cdd-csi running on the host on a Unix socket in a temp folder; killed on dispose.</summary>
public sealed class DriverProcess : IDisposable
{
    readonly RunningProcess _p;
    readonly TempDir _dir;

    public DriverProcess(TempDir? dir = null, params string[] extraArgs)
    {
        _dir = dir ?? new TempDir("cdd-csi");
        Socket = Path.Combine(_dir.Path, "csi.sock");
        _p = RunningProcess.Start(RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj"),
            ["--endpoint", "unix://" + Socket, "--node-id", "host-node", "--volume-groups", "vg1", .. extraArgs]);
        // Ready when the log says it listens (it chmods the socket just before); a driver that exits ends the wait.
        Eventually.True("cdd-csi to log csi.listening", () =>
        {
            if (LogText.Contains("csi.listening")) return true;
            if (_p.HasExited) throw new InvalidOperationException($"cdd-csi exited {_p.ExitCode}:\n{LogText}");
            return false;
        }, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(20));
    }

    public string Socket { get; }

    /// <summary>stdout and stderr of the driver so far.</summary>
    public string LogText => _p.Output;

    public void Dispose()
    {
        _p.Dispose();
        _dir.Dispose();
    }
}

using System.Diagnostics;
using Cdd.Csi.Errors;
using Cdd.Testing;

namespace Cdd.Csi.Tests;

[Tier(Tier.Unit)]
public sealed class ToolTests : IDisposable
{
    readonly TempDir _dir = new("cdd-csi-tool");

    [Fact]
    public async Task A_hung_tool_is_killed_at_its_timeout_with_everything_it_started()
    {
        // The stand-in for a hung lvs: a shell whose child sleeps; both must be gone after the timeout.
        string pidFile = Path.Combine(_dir.Path, "child.pid");
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ToolTimeoutException>(() =>
            Tool.RunAsync("sh", ["-c", $"sleep 300 & echo $! > {pidFile}; wait"], TimeSpan.FromSeconds(2)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the timeout fired only after {clock.Elapsed}");
        Assert.Equal("sh", e.Tool);
        Assert.Contains("sh -c sleep 300", e.Message);
        Assert.Contains("did not finish within 2 s and was killed", e.Message);

        int child = int.Parse(File.ReadAllText(pidFile).Trim());
        // SIGKILL is delivered at once; the orphaned child is reaped by init a moment later.
        Eventually.True($"the tool's child {child} to be gone", () => Gone(child), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_tool_that_finishes_in_time_returns_its_output()
    {
        var r = await Tool.RunCheckedAsync("sh", ["-c", "echo out; echo err >&2"], TimeSpan.FromSeconds(30));
        Assert.Equal(("out\n", "err\n"), (r.Stdout, r.Stderr));
    }

    // Gone, or a zombie waiting for init to reap it: either way it runs no more.
    static bool Gone(int pid)
    {
        string stat = $"/proc/{pid}/stat";
        try
        {
            string text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
    }

    public void Dispose() => _dir.Dispose();
}

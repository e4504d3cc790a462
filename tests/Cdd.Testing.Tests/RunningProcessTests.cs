using System.Diagnostics;

namespace Cdd.Testing.Tests;

[Tier(Tier.Unit)]
public sealed class RunningProcessTests
{
    [Fact]
    public void Exec_passes_the_arguments_as_a_vector_and_captures_everything()
    {
        // One argument with a space and shell metacharacters: no shell splits or expands it.
        var r = Exec.Run("sh", ["-c", "printf '%s|' \"$1\"; echo err >&2; cat; exit 4", "sh", "a b; $HOME"],
            stdin: "from stdin\n", timeoutMs: 30_000);
        Assert.Equal(4, r.ExitCode);
        Assert.Equal("a b; $HOME|from stdin\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public void A_cleared_environment_keeps_only_path_home_and_what_is_given()
    {
        var r = Exec.Run("env", [], env: new Dictionary<string, string> { ["CNI_COMMAND"] = "VERSION" }, clearEnv: true);
        var names = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf('=')]).ToHashSet();
        Assert.Contains("CNI_COMMAND", names);
        Assert.Subset(new HashSet<string> { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR", "CNI_COMMAND" }, names);
    }

    [Fact]
    public void On_timeout_the_whole_process_tree_is_killed_and_the_error_names_the_program()
    {
        using var dir = new TempDir("cdd-exec-timeout");
        string pidFile = Path.Combine(dir.Path, "child.pid");
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<TimeoutException>(() =>
            Exec.Run("sh", ["-c", $"sleep 300 & echo $! > {pidFile}; wait"], timeoutMs: 2_000));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"took {clock.Elapsed}");
        Assert.StartsWith($"sh -c sleep 300 & echo $! > {pidFile}; wait did not finish in 2000 ms; killed it", e.Message);
        int child = int.Parse(File.ReadAllText(pidFile).Trim());
        Eventually.True($"the sleeping child {child} to be gone", () => !Running(child), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_started_process_keeps_its_log_in_order_and_dispose_kills_it()
    {
        int pid;
        using (var p = RunningProcess.Start("sh", ["-c", "echo one; echo two >&2; echo three; exec sleep 300"]))
        {
            pid = p.Id;
            Eventually.True("three lines of output", () => p.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3, TimeSpan.FromSeconds(30));
            Assert.Equal("one\nthree\n", p.Stdout);
            Assert.Equal("two\n", p.Stderr);
            Assert.False(p.HasExited);
        }
        Assert.False(Running(pid), "dispose left the process running");
    }

    // Alive and not a zombie waiting to be reaped.
    static bool Running(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}

namespace Cdd.Csi.San.Node;

internal sealed class Multipath : IMultipath
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public async Task AddAsync(string block)
    {
        var daemon = await Tool.RunAsync("multipathd", ["add", "path", block], Limit);
        // Measured in the VM tier without udev: multipathd built the map from the first path but left the second waiting for a
        // uevent that never comes. The CLI (re)loads the map from sysfs with every valid path; it is harmless when all are in.
        var cli = await Tool.RunAsync("multipath", ["-v", "1", "/dev/" + block], Limit);
        if (cli.ExitCode != 0 && (daemon.ExitCode != 0 || daemon.Stdout.Contains("fail", StringComparison.OrdinalIgnoreCase)))
            throw new Errors.ToolException("multipath", ["-v", "1", "/dev/" + block], cli.ExitCode, cli.Stderr);
    }

    public async Task ForgetPathAsync(string block)
    {
        // Exit 1 with "fail" for a path it does not hold (never added, or already gone with its uevent): nothing to forget.
        var r = await Tool.RunAsync("multipathd", ["del", "path", block], Limit);
        if (r.ExitCode is not (0 or 1)) throw new Errors.ToolException("multipathd", ["del", "path", block], r.ExitCode, r.Stderr);
    }

    public async Task<bool> FlushAsync(string map)
    {
        var r = await Tool.RunAsync("multipath", ["-f", map], Limit);
        return r.ExitCode == 0;
    }

    public async Task ResizeAsync(string map, long sizeBytes)
    {
        var daemon = await Tool.RunAsync("multipathd", ["resize", "map", map], Limit);
        if (daemon.ExitCode == 0 && !daemon.Stdout.Contains("fail", StringComparison.OrdinalIgnoreCase)) return;
        // Measured in the VM tier without udev: multipathd learns a path's new size from its change uevent only, so it
        // refused (mismatched path sizes), and `multipath -r` only hands multipathd an asynchronous reconfigure. What
        // multipathd's resize does, done here: the same table at the new length, loaded and resumed.
        var table = await Tool.RunCheckedAsync("dmsetup", ["table", map], Limit);
        string line = Resized(table.Stdout, sizeBytes)
            ?? throw new Errors.ToolException("dmsetup", ["table", map], 0, $"not a single multipath table line: {table.Stdout.Trim()}");
        await Tool.RunCheckedAsync("dmsetup", ["reload", map, "--table", line], Limit);
        await Tool.RunCheckedAsync("dmsetup", ["resume", map], Limit);
    }

    /// <summary>"0 SECTORS multipath ARGS..." with SECTORS replaced by the new size; null for anything else.</summary>
    public static string? Resized(string table, long sizeBytes)
    {
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length != 1 || sizeBytes <= 0 || sizeBytes % 512 != 0) return null;
        var t = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (t.Length < 4 || t[0] != "0" || !long.TryParse(t[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) || t[2] != "multipath")
            return null;
        t[1] = (sizeBytes / 512).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join(' ', t);
    }

    public async Task<IReadOnlyList<string>> FailedPathsAsync(string map)
    {
        var r = await Tool.RunCheckedAsync("dmsetup", ["status", map], Limit);
        return ParseFailed(r.Stdout);
    }

    /// <summary>
    /// A multipath status line: "0 SECTORS multipath ... N_GROUPS ... then per group 'STATE N_PATHS N_SELECTOR_ARGS' and per path
    /// 'MAJ:MIN A|F FAILCOUNT ...'". Every token after a major:minor that reads F is a failed path.
    /// </summary>
    public static IReadOnlyList<string> ParseFailed(string status)
    {
        var t = status.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var failed = new List<string>();
        for (int i = 0; i + 1 < t.Length; i++)
            if (t[i].Contains(':') && t[i].Split(':').All(p => p.Length > 0 && p.All(char.IsAsciiDigit)) && t[i + 1] == "F") failed.Add(t[i]);
        return failed;
    }

    public Task RemoveAsync(string map) => Tool.RunCheckedAsync("dmsetup", ["remove", map], Limit);

    public Task FlushBuffersAsync(string devicePath) => Tool.RunCheckedAsync("blockdev", ["--flushbufs", devicePath], Limit);
}

namespace Cdd.Csi.San.Node;

internal sealed class Multipath : IMultipath
{
    static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public async Task AddAsync(string block)
    {
        var r = await Tool.RunAsync("multipathd", ["add", "path", block], Limit);
        if (r.ExitCode == 0 && !r.Stdout.Contains("fail", StringComparison.OrdinalIgnoreCase)) return;
        await Tool.RunCheckedAsync("multipath", ["-v", "1", "/dev/" + block], Limit);
    }

    public async Task<bool> FlushAsync(string map)
    {
        var r = await Tool.RunAsync("multipath", ["-f", map], Limit);
        return r.ExitCode == 0;
    }

    public Task ResizeAsync(string map) => Tool.RunCheckedAsync("multipathd", ["resize", "map", map], Limit);

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

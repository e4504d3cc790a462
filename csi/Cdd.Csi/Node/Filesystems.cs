using Cdd.Csi.Errors;

namespace Cdd.Csi.Node;

/// <summary>blkid and mkfs, run as tools with argument vectors.</summary>
internal static class Filesystems
{
    // mkfs discards every block of the device first and resize2fs may move inode tables: minutes on a large thick LV.
    static readonly TimeSpan FormatTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The filesystem type blkid finds on the device (low-level probe, no cache), or null when it finds nothing.</summary>
    public static async Task<string?> ProbeAsync(string device)
    {
        var r = await Tool.RunAsync("blkid", ["-p", "-o", "export", device]);
        if (r.ExitCode == 2) return null; // blkid: nothing found
        if (r.ExitCode != 0) throw new ToolException("blkid", ["-p", "-o", "export", device], r.ExitCode, r.Stderr);
        foreach (var line in r.Stdout.Split('\n'))
            if (line.StartsWith("TYPE=", StringComparison.Ordinal)) return line[5..].Trim();
        // A signature without a filesystem type (a partition table, a RAID member): not ours to format.
        return "unknown";
    }

    public static Task FormatAsync(string device, string fsType, IReadOnlyList<string> options) =>
        Tool.RunCheckedAsync("mkfs." + fsType, [.. options, "-q", device], FormatTimeout);

    /// <summary>Grows a mounted filesystem to fill its device (online); a no-op when it already does.</summary>
    public static async Task GrowAsync(string fsType, string device, string mountPoint)
    {
        switch (fsType)
        {
            case "ext4": await Tool.RunCheckedAsync("resize2fs", [device], FormatTimeout); break;
            case "xfs": await Tool.RunCheckedAsync("xfs_growfs", [mountPoint], FormatTimeout); break;
            default: throw new CsiException(CsiFault.FailedPrecondition, $"cannot grow a {fsType} filesystem");
        }
    }
}

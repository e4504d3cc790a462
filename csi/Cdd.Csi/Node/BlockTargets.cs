using Cdd.Native.Mounts;

namespace Cdd.Csi.Node;

/// <summary>Raw block volumes: the LV's device node bind-mounted onto a file, and what sysfs says about the device.</summary>
internal static class BlockTargets
{
    /// <summary>
    /// Whether the mount at a target is a bind of <paramref name="device"/>'s node: such a mount shows the devtmpfs it came
    /// from, with the node's path inside it as the mount's root (/mapper/vg-lv or /dm-N).
    /// </summary>
    public static bool Holds(MountEntry mount, string device)
    {
        if (!File.Exists(device)) return false;
        string real = new FileInfo(device).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? device;
        return mount.Root.Length > 1 && real.EndsWith(mount.Root, StringComparison.Ordinal);
    }

    /// <summary>The device's size in bytes from /sys/dev/block/MAJ:MIN/size (512-byte sectors), or null when it is gone.</summary>
    public static long? SizeBytes(string device, string sysRoot = "/sys")
    {
        if (BlockDevice.Numbers(device, sysRoot) is not { } n) return null;
        string size = Path.Combine(sysRoot, "dev/block", $"{n.Major}:{n.Minor}", "size");
        return File.Exists(size) && long.TryParse(File.ReadAllText(size).Trim(), out long sectors) ? sectors * 512 : null;
    }

    /// <summary>An empty file for the device node to be bound onto (kubelet makes the parent; the plugin makes the target).</summary>
    public static void CreateTarget(string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!File.Exists(target)) new FileStream(target, FileMode.CreateNew, FileAccess.Write).Dispose();
    }
}

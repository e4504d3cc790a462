namespace Cdd.Native.Mounts;

/// <summary>Block device numbers from sysfs (under an injectable root), so no stat(2) of device nodes is needed.</summary>
public static class BlockDevice
{
    /// <summary>major:minor of the block device a /dev path (or a symlink to it, like /dev/vg/lv) names; null if none.</summary>
    public static (int Major, int Minor)? Numbers(string devicePath, string sysRoot = "/sys")
    {
        if (!File.Exists(devicePath)) return null;
        string real = new FileInfo(devicePath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? devicePath;
        string dev = Path.Combine(sysRoot, "class/block", Path.GetFileName(real), "dev");
        if (!File.Exists(dev)) return null;
        var mm = File.ReadAllText(dev).Trim().Split(':');
        return (int.Parse(mm[0]), int.Parse(mm[1]));
    }
}

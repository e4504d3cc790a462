namespace Cdd.Native.Mounts;

/// <summary>Block device numbers from sysfs (under an injectable root), so no stat(2) of device nodes is needed.</summary>
public static class BlockDevice
{
    /// <summary>
    /// major:minor of the block device a /dev path names, following symlinks (/dev/vg/lv → /dev/mapper/vg-lv or
    /// /dev/dm-N); null if there is no such device.
    /// </summary>
    public static (int Major, int Minor)? Numbers(string devicePath, string sysRoot = "/sys")
    {
        if (!File.Exists(devicePath)) return null;
        string real = new FileInfo(devicePath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? devicePath;
        string name = Path.GetFileName(real);
        string dev = Path.Combine(sysRoot, "class/block", name, "dev");
        if (File.Exists(dev)) return Parse(File.ReadAllText(dev));
        // Without udev, libdevmapper makes /dev/mapper/<name> a real node: find the dm-N whose dm/name matches.
        if (Path.GetDirectoryName(real) == "/dev/mapper" && Directory.Exists(Path.Combine(sysRoot, "class/block")))
            foreach (var block in Directory.EnumerateDirectories(Path.Combine(sysRoot, "class/block"), "dm-*"))
            {
                string dmName = Path.Combine(block, "dm/name");
                if (File.Exists(dmName) && File.ReadAllText(dmName).Trim() == name)
                    return Parse(File.ReadAllText(Path.Combine(block, "dev")));
            }
        return null;
    }

    static (int, int) Parse(string majorMinor)
    {
        var mm = majorMinor.Trim().Split(':');
        return (int.Parse(mm[0]), int.Parse(mm[1]));
    }
}

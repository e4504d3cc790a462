using Cdd.Native.Mounts;

namespace Cdd.Csi.Node;

/// <summary>What the node asks about block devices: numbers and size from sysfs, where a device node points.</summary>
internal interface IDevices
{
    /// <summary>major:minor of the device a /dev path names (following symlinks), or null when there is none.</summary>
    (int Major, int Minor)? Numbers(string devicePath);

    /// <summary>Size in bytes, or null when the device is gone.</summary>
    long? SizeBytes(string devicePath);

    /// <summary>Whether a bind mount at a target shows this device's node (a raw block publish).</summary>
    bool Holds(MountEntry mount, string devicePath);
}

/// <summary>sysfs under an injectable root.</summary>
internal sealed class SysfsDevices(string sysRoot = "/sys") : IDevices
{
    public (int Major, int Minor)? Numbers(string devicePath) => BlockDevice.Numbers(devicePath, sysRoot);

    public long? SizeBytes(string devicePath) => BlockTargets.SizeBytes(devicePath, sysRoot);

    public bool Holds(MountEntry mount, string devicePath) => BlockTargets.Holds(mount, devicePath);
}

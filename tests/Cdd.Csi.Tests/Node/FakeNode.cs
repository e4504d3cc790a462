using Cdd.Csi.Node;
using Cdd.Native.Mounts;

namespace Cdd.Csi.Tests.Node;

/// <summary>Block devices by path: numbers and size; a device node "holds" a bind mount when the mount's numbers are its own.</summary>
internal sealed class FakeDevices : IDevices
{
    public Dictionary<string, (int Major, int Minor, long Size)> Devices { get; } = new();

    public (int Major, int Minor)? Numbers(string devicePath) => Devices.TryGetValue(devicePath, out var d) ? (d.Major, d.Minor) : null;

    public long? SizeBytes(string devicePath) => Devices.TryGetValue(devicePath, out var d) ? d.Size : null;

    public bool Holds(MountEntry mount, string devicePath) =>
        Devices.TryGetValue(devicePath, out var d) && mount.Major == d.Major && mount.Minor == d.Minor && mount.Root != "/";
}

/// <summary>A mount table in memory; mounts record what a real mount would show in mountinfo.</summary>
internal sealed class FakeMounter(FakeDevices devices) : IMounter
{
    public List<MountEntry> Table { get; } = [];

    public MountEntry? At(string mountPoint) => Table.LastOrDefault(m => m.MountPoint == Path.TrimEndingDirectorySeparator(mountPoint));

    public IReadOnlyList<MountEntry> Read() => Table.ToList();

    public void Filesystem(string device, string target, string fsType, MountFlags flags, string? data)
    {
        var n = devices.Numbers(device) ?? throw new IOException($"no device {device}");
        Table.Add(new MountEntry(n.Major, n.Minor, "/", target, (flags & MountFlags.ReadOnly) != 0 ? "ro" : "rw", fsType, device));
    }

    public void Bind(string source, string target, bool readOnly)
    {
        string options = readOnly ? "ro" : "rw";
        if (At(source) is { } m) Table.Add(m with { MountPoint = target, Options = options });
        else if (devices.Numbers(source) is { } n) Table.Add(new MountEntry(n.Major, n.Minor, "/" + Path.GetFileName(source), target, options, "devtmpfs", "udev"));
        else throw new IOException($"nothing to bind at {source}");
    }

    public void Unmount(string target)
    {
        var m = At(target) ?? throw new IOException($"{target} is not mounted");
        Table.Remove(m);
    }

    public FsStats Stats(string path) => new(100 << 20, 90 << 20, 10 << 20, 1000, 900, 100);
}

/// <summary>Filesystems by device; counts formats, so a test sees that a device with data was never formatted.</summary>
internal sealed class FakeFilesystems : IFilesystems
{
    public Dictionary<string, string> OnDevice { get; } = new();
    public List<string> Formatted { get; } = [];
    public List<string> Grown { get; } = [];

    public Task<string?> ProbeAsync(string device) => Task.FromResult(OnDevice.TryGetValue(device, out var fs) ? fs : null);

    public Task FormatAsync(string device, string fsType, IReadOnlyList<string> options)
    {
        Formatted.Add($"{device} {fsType} {string.Join(' ', options)}".TrimEnd());
        OnDevice[device] = fsType;
        return Task.CompletedTask;
    }

    public Task GrowAsync(string fsType, string device, string mountPoint)
    {
        Grown.Add(mountPoint);
        return Task.CompletedTask;
    }
}

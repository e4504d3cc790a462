using Cdd.Native.Mounts;

namespace Cdd.Csi.Node;

/// <summary>The mount(2) family and the mount table, one to one with <see cref="Mount"/> and <see cref="MountTable"/>.</summary>
internal interface IMounter
{
    /// <summary>The topmost mount at exactly this path, or null.</summary>
    MountEntry? At(string mountPoint);

    IReadOnlyList<MountEntry> Read();

    void Filesystem(string device, string target, string fsType, MountFlags flags, string? data);

    void Bind(string source, string target, bool readOnly);

    void Unmount(string target);

    FsStats Stats(string path);
}

/// <summary>The host's: mount(2), umount2(2), statvfs(3), /proc/self/mountinfo.</summary>
internal sealed class HostMounter : IMounter
{
    public MountEntry? At(string mountPoint) => MountTable.At(mountPoint);

    public IReadOnlyList<MountEntry> Read() => MountTable.Read();

    public void Filesystem(string device, string target, string fsType, MountFlags flags, string? data) => Mount.Filesystem(device, target, fsType, flags, data);

    public void Bind(string source, string target, bool readOnly) => Mount.Bind(source, target, readOnly);

    public void Unmount(string target) => Mount.Unmount(target);

    public FsStats Stats(string path) => Mount.Stats(path);
}

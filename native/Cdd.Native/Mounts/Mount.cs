using Cdd.Native.Interop;

namespace Cdd.Native.Mounts;

/// <summary>The mount(2) family, with errno as <see cref="ErrnoException"/>. EINTR is retried here.</summary>
public static class Mount
{
    public static void Filesystem(string device, string target, string fsType, MountFlags flags, string? data) =>
        Call(() => MountCalls.mount(device, target, fsType, (ulong)flags, string.IsNullOrEmpty(data) ? null : data),
            "mount", $"{device} on {target} ({fsType})");

    /// <summary>A bind mount; read-only needs a second call: the kernel ignores MS_RDONLY on the first bind.</summary>
    public static void Bind(string source, string target, bool readOnly)
    {
        Call(() => MountCalls.mount(source, target, null, (ulong)MountFlags.Bind, null), "mount --bind", $"{source} on {target}");
        if (!readOnly) return;
        try
        {
            Call(() => MountCalls.mount(null, target, null, (ulong)(MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly), null),
                "mount -o remount,bind,ro", target);
        }
        catch
        {
            Unmount(target);
            throw;
        }
    }

    public static void Unmount(string target, bool detach = false) =>
        Call(() => MountCalls.umount2(target, detach ? 2 /* MNT_DETACH */ : 0), "umount", target);

    /// <summary>statvfs(3): sizes in bytes and inode counts of the filesystem holding <paramref name="path"/>.</summary>
    public static FsStats Stats(string path)
    {
        MountCalls.StatVfs s = default;
        Call(() => MountCalls.statvfs(path, out s), "statvfs", path);
        ulong unit = s.f_frsize != 0 ? s.f_frsize : s.f_bsize;
        return new FsStats(
            (long)(s.f_blocks * unit), (long)(s.f_bavail * unit), (long)((s.f_blocks - s.f_bfree) * unit),
            (long)s.f_files, (long)s.f_ffree, (long)(s.f_files - s.f_ffree));
    }

    // The errno the generated stub saved right after the call (SetLastError = true): by the time the stub has
    // returned, the runtime may have made other system calls and errno itself may say something else.
    internal static void Call(Func<int> call, string operation, string detail)
    {
        while (call() != 0)
        {
            var errno = (Errno)System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR) throw new ErrnoException(errno, operation, detail);
        }
    }
}

public readonly record struct FsStats(long TotalBytes, long AvailableBytes, long UsedBytes, long TotalInodes, long FreeInodes, long UsedInodes);

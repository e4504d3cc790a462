namespace Cdd.Native.Mounts;

/// <summary>mount(2) flags (linux/mount.h).</summary>
[Flags]
public enum MountFlags : ulong
{
    None = 0,
    ReadOnly = 1,          // MS_RDONLY
    NoSuid = 2,            // MS_NOSUID
    NoDev = 4,             // MS_NODEV
    NoExec = 8,            // MS_NOEXEC
    Synchronous = 16,      // MS_SYNCHRONOUS
    Remount = 32,          // MS_REMOUNT
    NoAtime = 1024,        // MS_NOATIME
    NoDirAtime = 2048,     // MS_NODIRATIME
    Bind = 4096,           // MS_BIND
    RelAtime = 1 << 21,    // MS_RELATIME
    StrictAtime = 1 << 24, // MS_STRICTATIME
    LazyTime = 1 << 25,    // MS_LAZYTIME
}

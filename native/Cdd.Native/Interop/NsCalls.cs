using System.Runtime.InteropServices;

namespace Cdd.Native.Interop;

// Tmds.LibC 0.5.0 has neither fstatfs() nor a typed ioctl() for the nsfs requests.
internal static unsafe partial class NsCalls
{
    /// <summary>statfs.f_type of nsfs (linux/magic.h).</summary>
    public const long NSFS_MAGIC = 0x6e736673;

    /// <summary>_IO(0xb7, 0x3), linux/nsfs.h: returns the CLONE_NEW* type of the namespace (Linux 4.11).</summary>
    public const ulong NS_GET_NSTYPE = 0xb703;

    /// <summary>
    /// struct statfs is 120 bytes on x86_64 and arm64 with f_type (a long) first; the buffer is larger so a
    /// different layout can never make the kernel write past it, and only f_type is read.
    /// </summary>
    public const int StatfsBufferSize = 256;

    // sys/stat.h file types and sched.h namespace types, as plain constants for switch arms.
    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;
    public const int CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x2000000, CLONE_NEWUTS = 0x4000000,
        CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fstatfs(int fd, byte* buf);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, ulong request);
}

using System.Runtime.InteropServices;

namespace Cdd.Native.Interop;

// mount(2), umount2(2) and statvfs(3) with our own declarations: the argument strings and the
// x86_64/aarch64 struct statvfs layout are all we need.
internal static partial class MountCalls
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statvfs(string path, out StatVfs buf);

    [StructLayout(LayoutKind.Sequential)]
    public struct StatVfs
    {
        public ulong f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, f_fsid, f_flag, f_namemax;
        public int spare0, spare1, spare2, spare3, spare4, spare5;
    }
}

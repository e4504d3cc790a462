using System.Runtime.InteropServices;

namespace Cdd.Native.Interop;

// Tmds.LibC 0.5.0 has no flock().
internal static partial class Flock
{
    public const int LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);
}

using System.Runtime.InteropServices;

namespace Cdd.Native.Interop;

internal static unsafe partial class RealPath
{
    /// <summary>realpath(3) into a PATH_MAX (4096) buffer the caller provides.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial byte* realpath(byte* path, byte* resolved);
}

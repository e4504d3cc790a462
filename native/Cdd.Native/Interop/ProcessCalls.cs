using System.Runtime.InteropServices;

namespace Cdd.Native.Interop;

// prctl, execv and the signal calls the exec trampoline needs; Tmds.LibC 0.5.0 has none of them in a usable shape.
internal static unsafe partial class ProcessCalls
{
    public const int PR_SET_PDEATHSIG = 1;
    public const int SIGKILL = 9, SIGPIPE = 13;
    public const int SIG_SETMASK = 2;
    /// <summary>glibc's sigset_t is 128 bytes.</summary>
    public const int SigsetBytes = 128;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int execv(byte* path, byte** argv);

    /// <summary>signal(2) with SIG_DFL (a null handler).</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial nint signal(int signum, nint handler);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sigprocmask(int how, byte* set, byte* oldset);
}

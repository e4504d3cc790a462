using System.Text;
using Cdd.Native.Interop;

namespace Cdd.Native;

/// <summary>
/// Runs a program that dies with its parent. .NET's Process forks and execs in native code with no hook in
/// between, so the binary re-execs itself as a trampoline: the trampoline (its own process, one thread, nothing
/// to corrupt) sets PR_SET_PDEATHSIG to SIGKILL and then execs the real program in place. The death signal
/// survives exec, so a SIGKILL of the parent, which runs no handler, still takes the child with it.
/// </summary>
public static unsafe class ParentDeath
{
    /// <summary>The trampoline's argv[1]; argv[2] is the parent's pid, argv[3] the program.</summary>
    public const string TrampolineFlag = "--cdd-exec-tied";

    /// <summary>
    /// In the trampoline: arms the death signal and execs <paramref name="program"/> with the environment as given.
    /// Returns only on failure, with an exit code (127 as a shell would for a program that cannot run).
    /// </summary>
    public static int ExecTied(int parentPid, string program, TextWriter stderr)
    {
        if (ProcessCalls.prctl(ProcessCalls.PR_SET_PDEATHSIG, ProcessCalls.SIGKILL, 0, 0, 0) < 0)
            return Fail(stderr, ErrnoException.FromLast("prctl(PR_SET_PDEATHSIG)"));
        // The parent may have died before prctl armed the signal; we are then re-parented and must not run.
        if (ProcessCalls.getppid() != parentPid) return 137;

        // The runtime ignores SIGPIPE and an ignored signal stays ignored across exec; the program gets the defaults.
        ProcessCalls.signal(ProcessCalls.SIGPIPE, 0);
        byte* empty = stackalloc byte[ProcessCalls.SigsetBytes];
        new Span<byte>(empty, ProcessCalls.SigsetBytes).Clear();
        ProcessCalls.sigprocmask(ProcessCalls.SIG_SETMASK, empty, null);

        var path = Encoding.UTF8.GetBytes(program + "\0");
        fixed (byte* p = path)
        {
            byte** argv = stackalloc byte*[2];
            argv[0] = p;
            argv[1] = null;
            ProcessCalls.execv(p, argv);
        }
        return Fail(stderr, ErrnoException.FromLast("exec", program));
    }

    static int Fail(TextWriter stderr, ErrnoException e)
    {
        stderr.WriteLine($"cdd: {e.Message}");
        return 127;
    }
}

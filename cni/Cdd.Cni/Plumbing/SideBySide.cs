using System.Runtime.ExceptionServices;

namespace Cdd.Cni.Plumbing;

/// <summary>
/// Runs two independent steps at once, one on a plain thread (not the pool: starting the pool
/// costs more than the step), and rethrows the first step's error, else the second's.
/// DEL uses it to release the address while the kernel tears the link down.
/// </summary>
internal static class SideBySide
{
    public static void Run(Action first, Action second)
    {
        ExceptionDispatchInfo? firstError = null;
        var thread = new Thread(() =>
        {
            try
            {
                first();
            }
            catch (Exception e)
            {
                firstError = ExceptionDispatchInfo.Capture(e);
            }
        }, 256 * 1024) { IsBackground = true, Name = "side-by-side" };
        thread.Start();
        ExceptionDispatchInfo? secondError = null;
        try
        {
            second();
        }
        catch (Exception e)
        {
            secondError = ExceptionDispatchInfo.Capture(e);
        }
        thread.Join();
        firstError?.Throw();
        secondError?.Throw();
    }
}

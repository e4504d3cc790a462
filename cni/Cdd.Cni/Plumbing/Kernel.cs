using Cdd.Cni.Spec;
using Cdd.Native;

namespace Cdd.Cni.Plumbing;

/// <summary>Turns a refused kernel call into the error the runtime sees.</summary>
internal static class Kernel
{
    public static T Do<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.KernelRefused, e.Message);
        }
    }

    public static void Do(Action call) => Do(() => { call(); return 0; });
}

using Cdd.Ipam.Kube;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>Idempotent writes: names are deterministic, so an object that is already there (or already gone) is what a pass wanted.</summary>
internal static class KubeWrites
{
    public static async Task CreateOrSkip<T>(Func<Task<T>> create)
    {
        try
        {
            await create();
        }
        catch (Exception e) when (ApiFailure.IsConflict(e))
        {
            // Already there: created by an earlier pass or a previous operator instance.
        }
    }

    public static async Task DeleteOrSkip<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
        }
        catch (Exception e) when (ApiFailure.IsNotFound(e))
        {
        }
    }
}

using System.Net;
using Cdd.Operator.Members;
using Cdd.Operator.Model;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Binds the running members that have no address yet (made before their binding existed, or whose binding was deleted
/// by hand) where they run. Null when every running member has one; a refused binding is the Placed condition
/// (Unplaceable), and then no member is placed in this pass.
/// </summary>
internal sealed class BindAddressesStep(IMemberAddresses addresses) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        var bound = new Dictionary<int, IPAddress>(snapshot.Addresses);
        try
        {
            foreach (var (ordinal, pod) in snapshot.Pods)
                if (ordinal < spec.Members && !bound.ContainsKey(ordinal) && pod.Spec?.NodeName is { } at)
                    bound[ordinal] = await addresses.BindAsync(spec, ordinal, at, pass.Ct);
            return null;
        }
        catch (MemberAddressException e)
        {
            return new Condition(Condition.Placed, false, "Unplaceable", e.Message);
        }
        finally
        {
            pass.Update(snapshot with { Addresses = bound });
        }
    }
}

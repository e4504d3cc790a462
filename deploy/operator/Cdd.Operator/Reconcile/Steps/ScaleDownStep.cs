using Cdd.Operator.Model;
using k8s;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Scaled down: the pods of ordinals at or above spec.members go, highest ordinal first (MGR expels them; a majority of
/// the old group stays because the sizes are odd and the survivors are the majority). Their PVCs and address bindings
/// stay, as a StatefulSet's PVCs do, and go with the cluster. No condition: Placed and Ready describe the members that
/// remain.
/// </summary>
internal sealed class ScaleDownStep(IKubernetes client) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        foreach (var (_, extra) in snapshot.Pods.Where(kv => kv.Key >= snapshot.Spec.Members && kv.Value.Metadata.DeletionTimestamp is null).OrderByDescending(kv => kv.Key))
            await KubeWrites.DeleteOrSkip(() => client.CoreV1.DeleteNamespacedPodAsync(extra.Metadata.Name, snapshot.Spec.Namespace, cancellationToken: pass.Ct));
        return null;
    }
}

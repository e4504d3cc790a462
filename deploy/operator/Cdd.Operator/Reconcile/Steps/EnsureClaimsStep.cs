using Cdd.Operator.Model;
using k8s;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Gives a member pod whose PVC is missing its claim back, naming the pod's node. A pod is made only after its PVC's
/// create was answered, but an answer of 409 is taken to mean "already there": when it was not (the in-process API
/// server's injected conflicts do this), the pod would wait for its volume for ever. A converged cluster has every
/// claim, so this costs no call. No condition: Ready shows the pod that waits.
/// </summary>
internal sealed class EnsureClaimsStep(IKubernetes client) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        foreach (var (ordinal, pod) in snapshot.Pods.Where(kv => kv.Key < spec.Members).OrderBy(kv => kv.Key))
            if (pod.Spec?.NodeName is { } node && !snapshot.Pvcs.ContainsKey(MemberNames.PvcName(spec.Name, ordinal)))
                await KubeWrites.CreateOrSkip(() => client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(MemberManifests.Pvc(spec, ordinal, node), spec.Namespace, cancellationToken: pass.Ct));
        return null;
    }
}

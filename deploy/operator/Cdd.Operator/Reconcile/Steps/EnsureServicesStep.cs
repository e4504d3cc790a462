using Cdd.Operator.Model;
using k8s;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Creates the headless Service (members resolve each other while joining) and the <c>&lt;cluster&gt;-primary</c>
/// Service when the snapshot lacks them. No condition: a Service that cannot be made fails the pass.
/// </summary>
internal sealed class EnsureServicesStep(IKubernetes client) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        if (!snapshot.Services.Any(x => x.Metadata.Name == spec.Name))
            await KubeWrites.CreateOrSkip(() => client.CoreV1.CreateNamespacedServiceAsync(MemberManifests.HeadlessService(spec), spec.Namespace, cancellationToken: pass.Ct));
        if (!snapshot.Services.Any(x => x.Metadata.Name == MemberNames.PrimaryServiceName(spec.Name)))
            await KubeWrites.CreateOrSkip(() => client.CoreV1.CreateNamespacedServiceAsync(MemberManifests.PrimaryService(spec), spec.Namespace, cancellationToken: pass.Ct));
        return null;
    }
}

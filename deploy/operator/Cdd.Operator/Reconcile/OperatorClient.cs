using Cdd.Ipam.Kube.Connection;
using k8s;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// The API client, built as cdd-ipamd builds its own (<see cref="KubeConnection.CreateClient"/>: a kubeconfig, or the
/// pod's service account when none is given). The operator's requests get 30 s: its watches run longer than the
/// agent's short calls.
/// </summary>
internal static class OperatorClient
{
    public static IKubernetes Create(string? kubeconfigPath, TimeSpan? requestTimeout = null) =>
        KubeConnection.CreateClient(kubeconfigPath, requestTimeout ?? TimeSpan.FromSeconds(30));
}

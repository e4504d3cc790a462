using k8s;

namespace Cdd.Operator.Reconcile;

/// <summary>The API client: from a kubeconfig, or the pod's service account when none is given (as cdd-ipamd does).</summary>
public static class OperatorClient
{
    public static IKubernetes Create(string? kubeconfigPath, TimeSpan? requestTimeout = null)
    {
        KubernetesClientConfiguration config;
        if (kubeconfigPath is null)
        {
            if (!KubernetesClientConfiguration.IsInCluster())
                throw new InvalidOperationException("no kubeconfig given and not running in a pod (KUBERNETES_SERVICE_HOST and the service account token are missing)");
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            if (!File.Exists(kubeconfigPath)) throw new FileNotFoundException($"kubeconfig {kubeconfigPath} does not exist", kubeconfigPath);
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
        }
        config.HttpClientTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        return new Kubernetes(config);
    }
}

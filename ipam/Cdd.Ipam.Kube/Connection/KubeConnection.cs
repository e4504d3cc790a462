using Cdd.Ipam.Kube.Cluster;
using Cdd.Ipam.Kube.Store;
using k8s;

namespace Cdd.Ipam.Kube.Connection;

/// <summary>
/// What cdd-ipamd opens at start: a client from a kubeconfig (or the pod's service account when none is given), the
/// pool view (first LIST done, watch running) and the reservation store. Disposing stops the watches.
/// </summary>
public sealed class KubeConnection : IAsyncDisposable
{
    KubeConnection(IKubernetes client, KubeClusterView view, KubeReservationStore store)
    {
        Client = client;
        View = view;
        Store = store;
    }

    public IKubernetes Client { get; }
    public KubeClusterView View { get; }
    public KubeReservationStore Store { get; }

    /// <summary>A client for the kubeconfig at <paramref name="kubeconfigPath"/>, or the in-cluster config when null.</summary>
    public static IKubernetes CreateClient(string? kubeconfigPath, TimeSpan requestTimeout)
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
        config.HttpClientTimeout = requestTimeout;
        return new Kubernetes(config);
    }

    /// <summary>
    /// Connects and waits for the pool view's first LIST, so pools are known when this returns. <paramref name="node"/>
    /// (this agent's node) spreads where each segment's address walk starts.
    /// </summary>
    public static async Task<KubeConnection> OpenAsync(string? kubeconfigPath, CancellationToken ct, TimeSpan? requestTimeout = null, KubeStoreOptions? storeOptions = null, string? node = null)
    {
        var client = CreateClient(kubeconfigPath, requestTimeout ?? TimeSpan.FromSeconds(10));
        var view = new KubeClusterView(client);
        try
        {
            await view.StartAsync(ct);
        }
        catch
        {
            await view.DisposeAsync();
            client.Dispose();
            throw;
        }
        var options = (storeOptions ?? new KubeStoreOptions()) with
        {
            GatewayOf = (pool, segment) => view.FindPool(pool)?.FindSegment(segment)?.Gateway,
            PoolOf = view.FindPool,
            SpreadKey = storeOptions?.SpreadKey ?? node,
        };
        return new KubeConnection(client, view, new KubeReservationStore(client, options));
    }

    /// <summary>
    /// The connection without waiting for anything: the pool watch starts, and <see cref="KubeClusterView.IsSynced"/>
    /// says when its first LIST arrived (a node agent serves "not ready" until then instead of exiting).
    /// </summary>
    public static KubeConnection Create(IKubernetes client, KubeStoreOptions? storeOptions = null, string? node = null)
    {
        var view = new KubeClusterView(client);
        view.Start();
        var options = (storeOptions ?? new KubeStoreOptions()) with
        {
            GatewayOf = (pool, segment) => view.FindPool(pool)?.FindSegment(segment)?.Gateway,
            PoolOf = view.FindPool,
            SpreadKey = storeOptions?.SpreadKey ?? node,
        };
        return new KubeConnection(client, view, new KubeReservationStore(client, options));
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await View.DisposeAsync();
        Client.Dispose();
    }
}

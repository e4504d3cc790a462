using Cdd.Ipam.Kube.Connection;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Store;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// The agent on the Kubernetes store: IPPools, nodes, pods and namespaces read through the API server (pools and
/// reservations kept by watch caches), reservations claimed as IPReservation objects, leaks collected.
/// </summary>
internal static class KubeBackend
{
    /// <summary>How long start-up waits for the API server's first answer.</summary>
    public static TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public static async Task<Agent> StartAsync(AgentOptions options, string? kubeconfig, ILogger log, CancellationToken ct)
    {
        // --kubeconfig, else $KUBECONFIG, else the pod's service account.
        kubeconfig ??= Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } k ? k : null;
        KubeConnection connection;
        // The first LIST of IPPools waits for the API server; bounded, so an agent that cannot reach it exits with a
        // reason (and is restarted with backoff) instead of hanging without a socket.
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(ct);
        startup.CancelAfter(StartupTimeout);
        try
        {
            // The node name spreads where each node starts its walk over a pool, so nodes do not race for the same addresses.
            connection = await KubeConnection.OpenAsync(kubeconfig, startup.Token, node: options.NodeName);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ArgumentException($"cannot connect to Kubernetes: no IPPool list from the API server within {StartupTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or k8s.Exceptions.KubeConfigException)
        {
            throw new ArgumentException($"cannot connect to Kubernetes: {ex.Message}", ex);
        }
        try
        {
            foreach (var pool in connection.View.Pools) await connection.Store.WarmAsync(pool.Name, ct);
            return await Agent.StartAsync(options, connection.View, new SharedStore(connection.Store), podsRequired: true, log, owned: connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One store for every pool and request: its caches are what make the agent fast.</summary>
    sealed class SharedStore(KubeReservationStore store) : IPoolStores
    {
        public StoreLease Open(string pool) => new(store, null);
    }
}

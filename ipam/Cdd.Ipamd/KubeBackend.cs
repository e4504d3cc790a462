using Cdd.Ipam.Engine;
using Cdd.Ipam.Kube.Connection;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// The agent on the Kubernetes store: IPPools, nodes, pods and namespaces read through the API server (pools and the
/// reservations of the segments this node can use kept by watch caches), reservations claimed as IPReservation
/// objects, leaks collected. Start-up does not give up: the socket and /healthz serve at once, requests are code 11 and
/// /readyz says why until the first lists have arrived, however long the API server takes.
/// </summary>
internal static class KubeBackend
{
    public static async Task<Agent> StartAsync(AgentOptions options, string? kubeconfig, ILogger log, CancellationToken ct,
        KubeStoreOptions? storeOptions = null)
    {
        // --kubeconfig, else $KUBECONFIG, else the pod's service account.
        kubeconfig ??= Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } k ? k : null;
        k8s.IKubernetes client;
        try
        {
            client = KubeConnection.CreateClient(kubeconfig, TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or k8s.Exceptions.KubeConfigException)
        {
            throw new ArgumentException($"cannot connect to Kubernetes: {ex.Message}", ex);
        }
        var startup = new KubeStartup(options.NodeName, log);
        // The node name spreads where each node starts its walk over a pool, so nodes do not race for the same addresses;
        // the node's view decides which segments' reservations are watched.
        var connection = KubeConnection.Create(client, (storeOptions ?? new KubeStoreOptions()) with { SegmentsOf = startup.SegmentsOf }, node: options.NodeName);
        startup.Run(connection);
        try
        {
            var lease = new Cdd.Ipam.Kube.Cluster.StatusLease(client, options.StatusLeaseNamespace, options.StatusLeaseName, options.NodeName,
                options.HousekeepingInterval * 3);
            bool warned = false;
            async Task<bool> IsWriter(CancellationToken t)
            {
                bool? held;
                try
                {
                    held = await lease.HoldAsync(t);
                }
                catch (Exception e) when (Cdd.Ipam.Kube.ApiFailure.IsTransient(e, t))
                {
                    return false; // not known to hold it: the next round asks again
                }
                if (held is null && !warned)
                {
                    // Without RBAC on the Lease every agent writes, as before: status stays right, at the old cost.
                    warned = true;
                    log.Warning("ipamd.status.lease.forbidden {Namespace} {Lease} {Why}", options.StatusLeaseNamespace, options.StatusLeaseName,
                        "no RBAC for coordination.k8s.io leases: every agent writes pool status");
                }
                return held ?? true;
            }
            return await Agent.StartAsync(options, connection.View, new SharedStore(connection.Store), podsRequired: true, log,
                owned: new Owned(startup, connection), startup: startup, statusWriter: (IsWriter, connection.Store.CountAsync));
        }
        catch
        {
            await startup.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One store for every pool and request: its caches are what make the agent fast.</summary>
    sealed class SharedStore(KubeReservationStore store) : IPoolStores
    {
        public StoreLease Open(string pool) => new(store, null);
    }

    sealed class Owned(KubeStartup startup, KubeConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await startup.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Waits for the IPPool list, this node, and each pool's reservation caches, retrying with backoff and logging why
    /// it still waits; afterwards re-reads the node now and then, so a relabelled node watches its new segments.
    /// </summary>
    sealed class KubeStartup(string nodeName, ILogger log) : IStartup, IAsyncDisposable
    {
        static readonly TimeSpan NodeRefresh = TimeSpan.FromSeconds(60), LogEvery = TimeSpan.FromSeconds(10);
        readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly CancellationTokenSource _stop = new();
        volatile NodeView? _node;
        volatile string _reason = "waiting for the first IPPool list from the API server";
        Task? _loop;

        public Task Ready => _ready.Task;
        public string Reason => _reason;

        /// <summary>The segments of a pool this node can use (untagged, or tagged on its trunk); none until the node is read.</summary>
        public IReadOnlyCollection<string>? SegmentsOf(string pool) =>
            _node is { } node && _view?.FindPool(pool) is { } p ? [.. Allocator.SegmentsFor(node, p).Select(s => s.Name)] : [];

        Cdd.Ipam.Kube.Cluster.KubeClusterView? _view;

        public void Run(KubeConnection connection)
        {
            _view = connection.View;
            _loop = Task.Run(() => RunAsync(connection, _stop.Token));
        }

        async Task RunAsync(KubeConnection c, CancellationToken ct)
        {
            try
            {
                var since = DateTimeOffset.UtcNow;
                var logged = DateTimeOffset.MinValue;
                void Waiting(string why)
                {
                    _reason = why;
                    if (DateTimeOffset.UtcNow - logged < LogEvery) return;
                    logged = DateTimeOffset.UtcNow;
                    log.Warning("ipamd.start.waiting {Reason} {WaitingSeconds}", why, (int)(DateTimeOffset.UtcNow - since).TotalSeconds);
                }
                while (!c.View.IsSynced)
                {
                    Waiting($"waiting for the first IPPool list from the API server ({c.View.WatchError ?? "no answer yet"})");
                    await Task.Delay(200, ct);
                }
                var pause = TimeSpan.FromMilliseconds(200);
                while (_node is null)
                {
                    try
                    {
                        _node = await c.View.GetNodeAsync(nodeName, ct);
                    }
                    catch (Exception ex) when (ex is StoreUnavailableException or Cdd.Ipam.Kube.Cluster.ClusterObjectException)
                    {
                        Waiting($"cannot read node {nodeName}: {ex.Message}");
                        await Task.Delay(pause, ct);
                        pause = pause * 2 < TimeSpan.FromSeconds(30) ? pause * 2 : TimeSpan.FromSeconds(30);
                    }
                }
                foreach (var pool in c.View.Pools)
                {
                    var warm = c.Store.WarmAsync(pool.Name, ct);
                    while (!warm.IsCompleted)
                    {
                        Waiting($"waiting for the first list of pool {pool.Name}'s reservations");
                        await Task.WhenAny(warm, Task.Delay(200, ct));
                    }
                    await warm;
                }
                _reason = "";
                _ready.TrySetResult();
                log.Information("ipamd.start.ready {Node} {Segments} {WaitedSeconds}", nodeName,
                    c.View.Pools.SelectMany(p => (SegmentsOf(p.Name) ?? []).Select(s => $"{p.Name}/{s}")).ToArray(), (DateTimeOffset.UtcNow - since).TotalSeconds);
                while (true)
                {
                    await Task.Delay(NodeRefresh, ct);
                    try
                    {
                        _node = await c.View.GetNodeAsync(nodeName, ct);
                    }
                    catch (Exception ex) when (ex is StoreUnavailableException or Cdd.Ipam.Kube.Cluster.ClusterObjectException)
                    {
                        log.Warning("ipamd.node.read.failed {Node} {Error}", nodeName, ex.Message);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                _ready.TrySetCanceled(ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null) await _loop;
            _stop.Dispose();
        }
    }
}

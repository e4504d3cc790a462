using Cdd.Ipam.Cluster;
using Cdd.Ipam.Config;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Kube.Watch;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using k8s;
using k8s.Autorest;

namespace Cdd.Ipam.Kube.Cluster;

/// <summary>
/// The cluster as the node agent sees it over the API: IPPools from a watch cache (each spec validated by
/// <see cref="PoolParser"/>; a refused one is reported by <see cref="PoolProblem"/>), nodes, pods and namespaces
/// read fresh, pool status written through the status subresource with resourceVersion and conflict retry.
/// </summary>
public sealed class KubeClusterView : IClusterView, IAsyncDisposable
{
    const string G = CddResources.Group, V = CddResources.Version, P = CddResources.PoolPlural;
    const int StatusWriteRounds = 8;

    readonly IKubernetes _client;
    readonly KubeStoreOptions _options;
    readonly ListWatchCache<IpPoolObject, PoolEntry> _pools;

    sealed record PoolEntry(string Name, IpPool? Pool, string? Problem);

    public KubeClusterView(IKubernetes client, KubeStoreOptions? options = null)
    {
        _client = client;
        _options = options ?? new KubeStoreOptions();
        _pools = new ListWatchCache<IpPoolObject, PoolEntry>(
            (rv, watch, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<KubeList<IpPoolObject>>(G, V, P,
                allowWatchBookmarks: watch ? true : null, resourceVersion: rv, timeoutSeconds: watch ? 300 : null, watch: watch ? true : null, cancellationToken: ct),
            Decode, _options.WatchRetryDelay);
    }

    /// <summary>Starts the pool watch and waits for its first LIST.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _pools.Start();
        await _pools.Synced.WaitAsync(ct);
    }

    /// <summary>Whether the first LIST of IPPools has arrived.</summary>
    public bool IsSynced => _pools.IsSynced;

    /// <summary>Why the IPPool watch is failing now (status or socket error), or null.</summary>
    public string? WatchError => _pools.LastError;

    /// <summary>Starts the pool watch without waiting for it (<see cref="IsSynced"/> says when it has listed).</summary>
    public void Start() => _pools.Start();

    public IpPool? FindPool(string name) => _pools.Find(name)?.Pool;

    public string? PoolProblem(string name) => _pools.Find(name)?.Problem;

    public IReadOnlyList<IpPool> Pools => [.. _pools.Values.Select(e => e.Pool).OfType<IpPool>().OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>
    /// One GET of an IPPool, without the watch (for a caller that needs a pool now and then, e.g. cdd-operator binding
    /// member addresses): the pool, or the problem (absent, or invalid with its field).
    /// </summary>
    public async Task<(IpPool? Pool, string? Problem)> ReadPoolAsync(string name, CancellationToken ct)
    {
        Require(name, nameof(name));
        var o = await Read($"pool {name}", async t =>
        {
            using var res = await _client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<IpPoolObject>(G, V, P, name, cancellationToken: t);
            return res.Body;
        }, ct);
        if (o is null) return (null, $"IPPool {name} does not exist");
        var entry = Decode(o) ?? new PoolEntry(name, null, $"IPPool {name}: metadata.name is missing");
        return (entry.Pool, entry.Problem);
    }

    public async Task<NodeView> GetNodeAsync(string name, CancellationToken ct)
    {
        Require(name, nameof(name));
        var node = await Read($"node {name}", t => _client.CoreV1.ReadNodeAsync(name, cancellationToken: t), ct)
            ?? throw new ClusterObjectException($"node {name}", "metadata.name", "no such node");
        var labels = node.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : [];
        string? trunk = null;
        node.Metadata?.Annotations?.TryGetValue(CddResources.TrunkVlansAnnotation, out trunk);
        return new NodeView(name, labels, TrunkVlans.Parse(name, trunk));
    }

    public async Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct)
    {
        Require(ns, nameof(ns));
        Require(name, nameof(name));
        var pod = await Read($"pod {ns}/{name}", t => _client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: t), ct);
        if (pod is null) return null;
        var uid = pod.Metadata?.Uid;
        if (string.IsNullOrEmpty(uid)) throw new ClusterObjectException($"pod {ns}/{name}", "metadata.uid", "is missing");
        var controller = pod.Metadata!.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
        return new PodInfo(ns, name, uid)
        {
            Labels = pod.Metadata.Labels is { } l ? new Dictionary<string, string>(l) : [],
            Annotations = pod.Metadata.Annotations is { } a ? new Dictionary<string, string>(a) : [],
            StatefulSet = controller is { Kind: "StatefulSet" } && controller.ApiVersion?.StartsWith("apps/", StringComparison.Ordinal) == true
                ? controller.Name
                : null,
        };
    }

    public async Task<IReadOnlyDictionary<string, string>?> GetNamespaceLabelsAsync(string ns, CancellationToken ct)
    {
        Require(ns, nameof(ns));
        var n = await Read($"namespace {ns}", t => _client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: t), ct);
        if (n is null) return null;
        return n.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : new Dictionary<string, string>();
    }

    public async Task WritePoolStatusAsync(string pool, IReadOnlyList<SegmentUsage> usage, CancellationToken ct)
    {
        Require(pool, nameof(pool));
        var status = StatusOf(pool, usage);
        string what = $"pool {pool}: write status";
        for (int round = 0; round < StatusWriteRounds; round++)
        {
            var current = await Read(what, async t =>
            {
                using var res = await _client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<IpPoolObject>(G, V, P, pool, cancellationToken: t);
                return res.Body;
            }, ct);
            if (current is null) return; // the pool was deleted: nothing to report on
            current.Status = status;
            try
            {
                await Retrier.RunAsync(what, _options, async t =>
                {
                    using var res = await _client.CustomObjects.ReplaceClusterCustomObjectStatusWithHttpMessagesAsync<IpPoolObject>(current, G, V, P, pool, cancellationToken: t);
                    return res.Body;
                }, ct);
                return;
            }
            catch (HttpOperationException e) when (ApiFailure.IsConflict(e))
            {
                // Another agent wrote status since our read: read again and write ours over the new version.
            }
            catch (HttpOperationException e) when (ApiFailure.IsNotFound(e))
            {
                return;
            }
        }
        throw new StoreUnavailableException($"{what}: other writers changed the pool in each of {StatusWriteRounds} rounds");
    }

    static IpPoolStatus StatusOf(string pool, IReadOnlyList<SegmentUsage> usage)
    {
        foreach (var u in usage)
        {
            if (!Names.IsDnsLabel(u.Segment)) throw new ArgumentException($"pool {pool}: segment name \"{u.Segment}\" {Names.DnsLabelRule}", nameof(usage));
            if (u.Total < 0 || u.Allocated < 0 || u.Allocated > u.Total)
                throw new ArgumentException($"pool {pool}: segment {u.Segment}: allocated {u.Allocated} of {u.Total} is not a count", nameof(usage));
        }
        return new IpPoolStatus
        {
            SegmentCount = usage.Count,
            Total = usage.Sum(u => u.Total),
            Allocated = usage.Sum(u => u.Allocated),
            Free = usage.Sum(u => u.Free),
            Segments = [.. usage.Select(u => new IpPoolSegmentStatus { Name = u.Segment, Total = u.Total, Allocated = u.Allocated, Free = u.Free })],
        };
    }

    /// <summary>A GET that retries what may pass and says null for 404.</summary>
    async Task<T?> Read<T>(string what, Func<CancellationToken, Task<T>> get, CancellationToken ct) where T : class
    {
        try
        {
            return await Retrier.RunAsync(what, _options, get, ct);
        }
        catch (HttpOperationException e) when (ApiFailure.IsNotFound(e))
        {
            return null;
        }
    }

    static PoolEntry? Decode(IpPoolObject o)
    {
        string? name = o.Metadata?.Name;
        if (name is null) return null;
        if (o.Spec is not { } spec) return new PoolEntry(name, null, $"IPPool {name}: spec is required");
        spec.Name = name;
        try
        {
            return new PoolEntry(name, PoolParser.Parse(spec, "spec"), null);
        }
        catch (PoolConfigException e)
        {
            string field = e.Field == "spec.name" ? "metadata.name" : e.Field;
            return new PoolEntry(name, null, $"IPPool {name}: {field}: {e.Message[(e.Field.Length + 2)..]}");
        }
    }

    static void Require(string value, string param)
    {
        if (string.IsNullOrEmpty(value)) throw new ArgumentException("must not be empty", param);
    }

    public ValueTask DisposeAsync() => _pools.DisposeAsync();
}

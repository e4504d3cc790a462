using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Service;

/// <summary>
/// The IPAM verbs, written once: ADD (owner, fixed identity, admission, then the engine through <see cref="IpamService"/>),
/// DEL, CHECK, GC and STATUS. cdd-ipam (file store, pool from its config) and cdd-ipamd (socket, Kubernetes or file
/// store) are adapters around one instance of this. Refusals are <see cref="IpamException"/>s, so both adapters map
/// one failure to one CNI code and message. Concurrent ADDs of one instance take distinct candidates and claim in
/// parallel through the store's atomic claim, like any other writer: no gate serialises the round-trips, so a slow
/// store does not queue a node's pods behind each other (the file store's pool lock still serialises its own).
/// </summary>
/// <param name="nodeName">This node, whose segments an ADD may take from and whose attachments GC judges.</param>
/// <param name="podsRequired">Every attachment names a pod the cluster must know (cdd-ipamd on Kubernetes).</param>
/// <param name="fixedStatefulSets">
/// Without pod objects (the file store): StatefulSets whose members, known by their names SET-ORDINAL, keep their address for life.
/// </param>
public sealed class IpamVerbs(IClusterView view, IPoolStores stores, string nodeName, bool podsRequired = false,
    IReadOnlyList<string>? fixedStatefulSets = null, TimeProvider? clock = null)
{
    static readonly TimeSpan RecentAdd = TimeSpan.FromMinutes(2);
    static readonly TimeSpan NodeTtl = TimeSpan.FromSeconds(30);
    readonly TimeProvider _clock = clock ?? TimeProvider.System;
    readonly IReadOnlyList<string> _fixedStatefulSets = fixedStatefulSets ?? [];
    /// <summary>
    /// Attachments whose ADD is running or finished recently: GC treats them as valid. A runtime's list of valid
    /// attachments is a snapshot; an ADD that started after it was taken must not lose its address to that GC.
    /// </summary>
    readonly ConcurrentDictionary<(string, string), long> _recentAdds = new();
    NodeView? _node;
    long _nodeReadAt = long.MinValue;

    public string NodeName => nodeName;

    public async Task<(Allocation Allocation, Owner Owner)> AddAsync(AttachmentRequest r, CancellationToken ct = default)
    {
        var pool = Pool(r.Pool);
        var node = await NodeAsync(ct);
        var owner = new Owner(r.ContainerId, r.IfName)
        {
            PodNamespace = r.PodNamespace,
            PodName = r.PodName,
            PodUid = r.PodUid,
            Network = r.Network,
        };
        var requested = r.Requested;

        FixedIdentity? fixedId = null;
        if (r.PodNamespace is { Length: > 0 } ns && r.PodName is { Length: > 0 } podName)
        {
            var pod = await view.GetPodAsync(ns, podName, ct);
            if (pod is null && podsRequired)
                throw new IpamException(IpamErrorKind.PodNotKnown, $"pod {ns}/{podName} is not in the API server (yet); the runtime should retry");
            if (pod is not null)
            {
                if (r.PodUid is { Length: > 0 } uid && pod.Uid != uid)
                    throw new IpamException(IpamErrorKind.PodNotKnown, $"pod {ns}/{podName} in the API server has UID {pod.Uid}, the runtime asked for UID {uid} (a pod of that name was recreated)");
                owner = owner with { PodUid = pod.Uid };
                var nsLabels = await view.GetNamespaceLabelsAsync(ns, ct) ?? new Dictionary<string, string>();
                if (!pool.Admits(nsLabels, pod.Labels))
                    throw new IpamException(IpamErrorKind.NotPermitted,
                        $"pool {pool.Name} does not admit pod {ns}/{podName}: namespaceSelector [{pool.NamespaceSelector}] podSelector [{pool.PodSelector}]");
                (fixedId, var annotated) = PodIdentity.Of(pod);
                if (annotated is not null)
                {
                    if (requested is not null && !requested.Equals(annotated))
                        throw Invalid($"pod {ns}/{podName}: runtimeConfig.ips asks for {requested}, annotation {FixedIdentity.Annotation} for {annotated}");
                    requested = annotated;
                }
            }
            else
                fixedId = FixedIdentity.FromPodName(ns, podName, _fixedStatefulSets);
        }
        else if (podsRequired && (pool.PodSelector is not null || pool.NamespaceSelector is not null))
            throw Invalid($"pool {pool.Name} admits pods by selector, and the request names no pod (K8S_POD_NAMESPACE/K8S_POD_NAME in CNI_ARGS)");

        var request = new AllocationRequest { Pool = pool, Node = node, Owner = owner, Fixed = fixedId, Requested = requested };
        var attachment = (r.ContainerId, r.IfName);
        _recentAdds[attachment] = long.MaxValue; // in flight
        try
        {
            using var lease = stores.Open(pool.Name);
            return (await new IpamService(lease.Store).AllocateAsync(request, ct), owner);
        }
        finally
        {
            _recentAdds[attachment] = _clock.GetTimestamp();
            if (_recentAdds.Count > 4096) ForgetOldAdds(_clock.GetTimestamp());
        }
    }

    /// <summary>Frees what the attachment holds (a fixed binding keeps its address, only its owner is cleared). A pool deleted since holds nothing.</summary>
    public async Task<IReadOnlyList<Reservation>> DelAsync(string poolName, string containerId, string ifName, CancellationToken ct = default)
    {
        if (view.FindPool(poolName) is null) return [];
        using var lease = stores.Open(poolName);
        return await new IpamService(lease.Store).ReleaseAsync(poolName, containerId, ifName, ct);
    }

    /// <summary>The attachment holds an address of the pool, and it is one of <paramref name="addresses"/> (the runtime's prevResult).</summary>
    public async Task CheckAsync(string poolName, string containerId, string ifName, IReadOnlyCollection<IPAddress> addresses, CancellationToken ct = default)
    {
        var pool = Pool(poolName);
        Reservation? held;
        using (var lease = stores.Open(pool.Name))
        {
            // A settled cache is the truth for this node's attachments; only an unsettled one that misses it is read again.
            var snapshot = await lease.Store.SnapshotAsync(pool.Name, fresh: false, ct);
            held = Held(snapshot);
            if (held is null && !snapshot.Settled) held = Held(await lease.Store.SnapshotAsync(pool.Name, fresh: true, ct));
        }
        Reservation? Held(PoolSnapshot s) => s.Reservations.FirstOrDefault(x => x.Pool == pool.Name && x.Owner is { } o && o.IsAttachment(containerId, ifName));
        if (held is null)
            throw new IpamException(IpamErrorKind.CheckFailed, $"pool {pool.Name} holds no address for container {containerId} interface {ifName}");
        if (!addresses.Any(a => a.Equals(held.Address)))
            throw new IpamException(IpamErrorKind.CheckFailed,
                $"pool {pool.Name} holds {held.Address} for container {containerId}, but prevResult has {string.Join(", ", addresses)}");
    }

    /// <summary>Frees this node's attachments of <paramref name="network"/> that are neither in <paramref name="valid"/> nor added just now.</summary>
    public async Task<IReadOnlyList<Reservation>> GcAsync(string poolName, string network, IEnumerable<(string ContainerId, string IfName)> valid, CancellationToken ct = default)
    {
        var pool = Pool(poolName);
        var keep = valid.ToHashSet();
        ForgetOldAdds(_clock.GetTimestamp());
        foreach (var attachment in _recentAdds.Keys) keep.Add(attachment);
        using var lease = stores.Open(pool.Name);
        return await new IpamService(lease.Store).CollectAsync(pool.Name, nodeName, network, keep, ct);
    }

    /// <summary>Available means an ADD on this node would get an address now: the pool exists, the store opens and a candidate exists.</summary>
    public async Task StatusAsync(string poolName, CancellationToken ct = default)
    {
        var pool = view.FindPool(poolName)
            ?? throw new IpamException(IpamErrorKind.NotAvailable, view.PoolProblem(poolName) ?? $"IPPool {poolName} does not exist");
        var node = await NodeAsync(ct);
        PoolSnapshot snapshot;
        try
        {
            using var lease = stores.Open(pool.Name);
            snapshot = await lease.Store.SnapshotAsync(pool.Name, fresh: false, ct);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or IOException or UnauthorizedAccessException)
        {
            throw new IpamException(IpamErrorKind.NotAvailable, $"pool {pool.Name}: the store is not available: {ex.Message}");
        }
        var probe = new AllocationRequest { Pool = pool, Node = node, Owner = new Owner("", "") };
        bool any;
        try
        {
            any = Allocator.Plan(probe, snapshot).Candidates.Any();
        }
        catch (IpamException ex)
        {
            throw new IpamException(IpamErrorKind.NotAvailable, ex.Message);
        }
        if (!any) throw new IpamException(IpamErrorKind.NotAvailable, $"pool {pool.Name} is exhausted for node {nodeName}");
    }

    IpPool Pool(string name) =>
        view.FindPool(name) ?? throw Invalid(view.PoolProblem(name) is { } why ? $"IPPool {name} is invalid: {why}" : $"IPPool {name} does not exist");

    async Task<NodeView> NodeAsync(CancellationToken ct)
    {
        long now = Stopwatch.GetTimestamp();
        if (_node is { } cached && Stopwatch.GetElapsedTime(Volatile.Read(ref _nodeReadAt), now) < NodeTtl) return cached;
        var node = await view.GetNodeAsync(nodeName, ct);
        _node = node;
        Volatile.Write(ref _nodeReadAt, now);
        return node;
    }

    void ForgetOldAdds(long now)
    {
        foreach (var (attachment, at) in _recentAdds)
            if (at != long.MaxValue && _clock.GetElapsedTime(at, now) >= RecentAdd) _recentAdds.TryRemove(attachment, out _);
    }

    static IpamException Invalid(string msg) => new(IpamErrorKind.InvalidRequest, msg);
}

using System.Diagnostics;
using System.Net;
using Cdd.Cni.Ipam.Agent;
using Cdd.Cni.Spec;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Plugin;
using Cdd.Ipam.Service;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// What the agent does with one plugin request: validate it, find the pool, the node and the pod, decide the fixed
/// identity and admission, run the engine against the store, and answer in the CNI's terms. Allocations of one pool
/// are serialised inside the agent (its own requests never race each other); other agents race through the store's
/// atomic claim.
/// </summary>
public sealed class AgentCore(IClusterView view, IPoolStores stores, string nodeName, AgentMetrics metrics, ILogger log, bool podsRequired,
    TimeProvider? clock = null)
{
    readonly TimeProvider _clock = clock ?? TimeProvider.System;
    readonly Dictionary<string, SemaphoreSlim> _poolLocks = [];
    /// <summary>
    /// Attachments whose ADD is running or finished recently: GC treats them as valid. A runtime's list of valid
    /// attachments is a snapshot; an ADD that started after it was taken must not lose its address to that GC.
    /// </summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), long> _recentAdds = new();
    static readonly TimeSpan RecentAdd = TimeSpan.FromMinutes(2);
    NodeView? _node;
    long _nodeReadAt = long.MinValue;
    static readonly TimeSpan NodeTtl = TimeSpan.FromSeconds(30);

    public string NodeName => nodeName;

    public async Task<AgentResponse> HandleAsync(AgentRequest? request, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        string verb = request?.Verb ?? "";
        try
        {
            var response = await DispatchAsync(request, ct);
            metrics.Requests.WithLabels(Label(verb), "ok").Inc();
            return response;
        }
        catch (Exception ex)
        {
            var error = IpamDispatcher.Map(ex);
            metrics.Requests.WithLabels(Label(verb), error.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
            if (error.Code == CniErrorCodes.Internal)
                log.Error(ex, "ipam.request.crash {Verb} {Pool} {ContainerId} {IfName}", verb, request?.Pool, request?.ContainerId, request?.IfName);
            else
                log.Warning("ipam.request.refused {Verb} {Pool} {ContainerId} {IfName} {Code} {Msg}", verb, request?.Pool, request?.ContainerId, request?.IfName, error.Code, error.Msg);
            return new AgentResponse { Ok = false, Code = error.Code, Msg = error.Msg, Details = error.Details };
        }
        finally
        {
            metrics.Latency.Observe(Label(verb), watch.Elapsed.TotalSeconds);
        }
    }

    void ForgetOldAdds(long now)
    {
        foreach (var (attachment, at) in _recentAdds)
            if (at != long.MaxValue && _clock.GetElapsedTime(at, now) >= RecentAdd) _recentAdds.TryRemove(attachment, out _);
    }

    static string Label(string verb) => verb is "ADD" or "DEL" or "CHECK" or "GC" or "STATUS" ? verb : "invalid";

    Task<AgentResponse> DispatchAsync(AgentRequest? r, CancellationToken ct)
    {
        if (r is null) throw Invalid("empty request");
        if (r.V != AgentProtocol.Version)
            throw new CniException(CniErrorCodes.IncompatibleVersion, $"cdd-ipamd speaks protocol version {AgentProtocol.Version}, the request is version {r.V}");
        return r.Verb switch
        {
            "ADD" => AddAsync(r, ct),
            "DEL" => DelAsync(r, ct),
            "CHECK" => CheckAsync(r, ct),
            "GC" => GcAsync(r, ct),
            "STATUS" => StatusAsync(r, ct),
            _ => throw Invalid($"verb \"{r.Verb}\" is not one of ADD, DEL, CHECK, GC, STATUS"),
        };
    }

    async Task<AgentResponse> AddAsync(AgentRequest r, CancellationToken ct)
    {
        var pool = Pool(r);
        var (containerId, ifName) = Attachment(r);
        var node = await NodeAsync(ct);
        var owner = new Owner(containerId, ifName)
        {
            PodNamespace = r.PodNamespace ?? "",
            PodName = r.PodName ?? "",
            PodUid = r.PodUid ?? "",
            Network = Network(r),
        };
        IPAddress? requested = null;
        if (r.RequestedIp is not null && !IPAddress.TryParse(r.RequestedIp, out requested))
            throw Invalid($"runtimeConfig.ips: \"{r.RequestedIp}\" is not an address");

        FixedIdentity? fixedId = null;
        if (r.PodNamespace is { Length: > 0 } ns && r.PodName is { Length: > 0 } podName)
        {
            var pod = await view.GetPodAsync(ns, podName, ct);
            if (pod is null && podsRequired)
                throw new CniException(CniErrorCodes.TryAgainLater, $"pod {ns}/{podName} is not in the API server (yet); the runtime should retry");
            if (pod is not null)
            {
                if (r.PodUid is { Length: > 0 } uid && pod.Uid != uid)
                    throw new CniException(CniErrorCodes.TryAgainLater, $"pod {ns}/{podName} in the API server has UID {pod.Uid}, the runtime asked for UID {uid} (a pod of that name was recreated)");
                owner = owner with { PodUid = pod.Uid };
                var nsLabels = await view.GetNamespaceLabelsAsync(ns, ct) ?? new Dictionary<string, string>();
                if (!pool.Admits(nsLabels, pod.Labels))
                    throw new CniException(IpamErrorCodes.NotPermitted,
                        $"pool {pool.Name} does not admit pod {ns}/{podName}: namespaceSelector [{pool.NamespaceSelector}] podSelector [{pool.PodSelector}]");
                (fixedId, var annotated) = FixedIdentityOf(pod);
                if (annotated is not null)
                {
                    if (requested is not null && !requested.Equals(annotated))
                        throw Invalid($"pod {ns}/{podName}: runtimeConfig.ips asks for {requested}, annotation {FixedIdentity.Annotation} for {annotated}");
                    requested = annotated;
                }
            }
        }
        else if (podsRequired && pool.PodSelector is not null || podsRequired && pool.NamespaceSelector is not null)
            throw Invalid($"pool {pool.Name} admits pods by selector, and the request names no pod (K8S_POD_NAMESPACE/K8S_POD_NAME in CNI_ARGS)");

        var request = new AllocationRequest { Pool = pool, Node = node, Owner = owner, Fixed = fixedId, Requested = requested };
        _recentAdds[(containerId, ifName)] = long.MaxValue; // in flight
        Allocation got;
        var gate = Gate(pool.Name);
        await gate.WaitAsync(ct);
        try
        {
            using var lease = stores.Open(pool.Name);
            got = await new IpamService(lease.Store).AllocateAsync(request, ct);
        }
        finally
        {
            _recentAdds[(containerId, ifName)] = _clock.GetTimestamp();
            gate.Release();
            if (_recentAdds.Count > 4096) ForgetOldAdds(_clock.GetTimestamp());
        }
        metrics.Allocations.WithLabels(pool.Name).Inc();
        if (got.Conflicts > 0) metrics.Conflicts.WithLabels(pool.Name).Inc(got.Conflicts);
        log.Information("ipam.allocated {Pool} {Segment} {Vlan} {Address} {ContainerId} {IfName} {Pod} {Fixed} {Conflicts}",
            pool.Name, got.Segment.Name, got.Reservation.Vlan, got.Reservation.Address.ToString(), containerId, ifName,
            owner.PodName == "" ? null : $"{owner.PodNamespace}/{owner.PodName}", got.Reservation.Fixed?.ToString(), got.Conflicts);

        var segment = got.Segment;
        return new AgentResponse
        {
            Ok = true,
            Ips = [new AgentIp { Address = $"{got.Reservation.Address}/{segment.Subnet.PrefixLength}", Gateway = segment.Gateway?.ToString() }],
            Routes = segment.Routes.Select(x => new AgentRoute { Dst = x.Dst.ToString(), Gw = x.Gw?.ToString() }).ToList(),
            Segment = segment.Name,
            Vlan = got.Reservation.Vlan,
        };
    }

    async Task<AgentResponse> DelAsync(AgentRequest r, CancellationToken ct)
    {
        var (containerId, ifName) = Attachment(r);
        string poolName = PoolName(r);
        // DEL must succeed for a pool deleted since: nothing of it can be held any more.
        if (view.FindPool(poolName) is null) return new AgentResponse { Ok = true };
        IReadOnlyList<Reservation> released;
        using (var lease = stores.Open(poolName))
            released = await new IpamService(lease.Store).ReleaseAsync(poolName, containerId, ifName, ct);
        foreach (var x in released)
        {
            metrics.Releases.WithLabels(poolName, "del").Inc();
            log.Information("ipam.released {Pool} {Address} {ContainerId} {IfName} {KeptForFixed}", poolName, x.Address.ToString(), containerId, ifName, x.Fixed?.ToString());
        }
        return new AgentResponse { Ok = true };
    }

    async Task<AgentResponse> CheckAsync(AgentRequest r, CancellationToken ct)
    {
        var pool = Pool(r);
        var (containerId, ifName) = Attachment(r);
        Reservation? held;
        using (var lease = stores.Open(pool.Name))
            held = (await lease.Store.SnapshotAsync(pool.Name, fresh: true, ct)).Reservations
                .FirstOrDefault(x => x.Owner is { } o && o.IsAttachment(containerId, ifName));
        if (held is null)
            throw new CniException(IpamErrorCodes.CheckFailed, $"pool {pool.Name} holds no address for container {containerId} interface {ifName}");
        var addresses = r.Addresses ?? [];
        if (!addresses.Any(a => IPAddress.TryParse(a, out var ip) && ip.Equals(held.Address)))
            throw new CniException(IpamErrorCodes.CheckFailed,
                $"pool {pool.Name} holds {held.Address} for container {containerId}, but prevResult has {string.Join(", ", addresses)}");
        return new AgentResponse { Ok = true };
    }

    async Task<AgentResponse> GcAsync(AgentRequest r, CancellationToken ct)
    {
        var pool = Pool(r);
        string network = Network(r);
        var valid = new HashSet<(string, string)>();
        foreach (var (a, i) in (r.Valid ?? []).Select((a, i) => (a, i)))
        {
            if (string.IsNullOrEmpty(a.ContainerId) || string.IsNullOrEmpty(a.IfName))
                throw Invalid($"cni.dev/valid-attachments[{i}] needs containerID and ifname");
            valid.Add((a.ContainerId, a.IfName));
        }
        ForgetOldAdds(_clock.GetTimestamp());
        foreach (var attachment in _recentAdds.Keys) valid.Add(attachment);
        IReadOnlyList<Reservation> released;
        using (var lease = stores.Open(pool.Name))
            released = await new IpamService(lease.Store).CollectAsync(pool.Name, nodeName, network, valid, ct);
        foreach (var x in released)
        {
            metrics.Releases.WithLabels(pool.Name, "gc").Inc();
            log.Information("ipam.collected {Pool} {Address} {Owner}", pool.Name, x.Address.ToString(), x.Owner?.ToString());
        }
        return new AgentResponse { Ok = true };
    }

    async Task<AgentResponse> StatusAsync(AgentRequest r, CancellationToken ct)
    {
        var pool = view.FindPool(PoolName(r))
            ?? throw new CniException(CniErrorCodes.PluginNotAvailable, view.PoolProblem(PoolName(r)) ?? $"IPPool {PoolName(r)} does not exist");
        var node = await NodeAsync(ct);
        PoolSnapshot snapshot;
        using (var lease = stores.Open(pool.Name))
            snapshot = await lease.Store.SnapshotAsync(pool.Name, fresh: false, ct);
        try
        {
            var probe = new AllocationRequest { Pool = pool, Node = node, Owner = new Owner("", "") };
            if (!Allocator.Plan(probe, snapshot).Candidates.Any())
                throw new CniException(CniErrorCodes.PluginNotAvailable, $"pool {pool.Name} is exhausted for node {nodeName}");
        }
        catch (IpamException ex)
        {
            throw new CniException(CniErrorCodes.PluginNotAvailable, ex.Message);
        }
        return new AgentResponse { Ok = true };
    }

    /// <summary>
    /// The fixed identity a pod carries: a StatefulSet member (its controller owner and ordinal), or the
    /// cdd.io/fixed-ip annotation. An annotation holding an address also asks for that address.
    /// </summary>
    public static (FixedIdentity? Identity, IPAddress? Address) FixedIdentityOf(PodInfo pod)
    {
        if (pod.Annotations.TryGetValue(FixedIdentity.Annotation, out var key))
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > 253)
                throw Invalid($"pod {pod.Namespace}/{pod.Name}: annotation {FixedIdentity.Annotation} must be a non-empty key or address of at most 253 characters");
            return (FixedIdentity.Annotated(pod.Namespace, key), IPAddress.TryParse(key, out var ip) && key.Contains(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? '.' : ':') ? ip : null);
        }
        if (pod.StatefulSet is { } set && FixedIdentity.FromPodName(pod.Namespace, pod.Name, [set]) is { } member)
            return (member, null);
        return (null, null);
    }

    IpPool Pool(AgentRequest r)
    {
        string name = PoolName(r);
        return view.FindPool(name) ?? throw Invalid(view.PoolProblem(name) is { } why ? $"IPPool {name} is invalid: {why}" : $"IPPool {name} does not exist");
    }

    static string PoolName(AgentRequest r) =>
        r.Pool is { Length: > 0 } p && Cdd.Ipam.Config.Names.IsDnsLabel(p) ? p : throw Invalid($"pool \"{r.Pool}\" is not an IPPool name");

    static (string, string) Attachment(AgentRequest r)
    {
        if (string.IsNullOrEmpty(r.ContainerId)) throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, "CNI_CONTAINERID is required");
        if (string.IsNullOrEmpty(r.IfName)) throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, "CNI_IFNAME is required");
        return (r.ContainerId, r.IfName);
    }

    static string Network(AgentRequest r) => r.Network is { Length: > 0 } n ? n : throw Invalid("the network name (config \"name\") is required");

    async Task<NodeView> NodeAsync(CancellationToken ct)
    {
        long now = Stopwatch.GetTimestamp();
        if (_node is { } cached && Stopwatch.GetElapsedTime(Volatile.Read(ref _nodeReadAt), now) < NodeTtl) return cached;
        var node = await view.GetNodeAsync(nodeName, ct);
        _node = node;
        Volatile.Write(ref _nodeReadAt, now);
        return node;
    }

    SemaphoreSlim Gate(string pool)
    {
        lock (_poolLocks)
            return _poolLocks.TryGetValue(pool, out var s) ? s : _poolLocks[pool] = new SemaphoreSlim(1, 1);
    }

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

using System.Diagnostics;
using System.Net;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Cdd.Ipamd.Requests;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// What the agent does with one plugin request: check the message, run the verb (written once, in
/// <see cref="IpamVerbs"/>, which cdd-ipam runs too), count and log it, and answer in the CNI's terms.
/// Requests pass a bounded queue (full: code 11 at once); one verb at a time works on an attachment, and a newer one
/// cancels it. An ADD whose client is gone (deadline passed, socket closed, a DEL arrived) gives back what it claimed.
/// </summary>
internal sealed class AgentCore(IClusterView view, IPoolStores stores, string nodeName, AgentMetrics metrics, ILogger log, bool podsRequired,
    TimeProvider? clock = null, RequestQueue? queue = null) : IDisposable
{
    /// <summary>How long giving back a late claim may take (the client is gone; the agent is not).</summary>
    static readonly TimeSpan GiveBackBudget = TimeSpan.FromSeconds(30);
    readonly IpamVerbs _verbs = new(view, stores, nodeName, podsRequired, clock: clock);
    readonly RequestQueue _queue = queue ?? new RequestQueue(64, 512);
    readonly CancellationTokenSource _stopping = new();
    volatile Func<string?> _notReady = () => null;

    public string NodeName => nodeName;
    public AttachmentGate Gate { get; } = new();
    public AttachmentRecord Record { get; } = new();

    /// <summary>Until <paramref name="reason"/> answers null, every request is code 11 with its answer as the message.</summary>
    public void NotReadyWhile(Func<string?> reason) => _notReady = reason;

    /// <summary>Records the attachments of this node that hold addresses now (answered by an earlier agent).</summary>
    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var pool in view.Pools)
        {
            using var lease = stores.Open(pool.Name);
            foreach (var r in (await lease.Store.SnapshotAsync(pool.Name, fresh: false, ct)).Reservations)
                if (r.Node == nodeName && r.Owner is { } o) Record.Know(o.ContainerId, o.IfName);
        }
    }

    /// <summary>Pending give-backs end (the agent stops).</summary>
    public void Stop() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _queue.Dispose();
    }

    public async Task<AgentResponse> HandleAsync(AgentRequest? request, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        string verb = request?.Verb ?? "";
        try
        {
            if (_notReady() is { } why) throw new CniException(CniErrorCodes.TryAgainLater, $"cdd-ipamd is starting: {why}");
            using var slot = await _queue.EnterAsync(ct)
                ?? throw new CniException(CniErrorCodes.TryAgainLater, $"cdd-ipamd is busy: {_queue.Capacity} requests are already waiting; try again later");
            var response = await DispatchAsync(request, ct);
            metrics.Requests.WithLabels(Label(verb), "ok").Inc();
            return response;
        }
        catch (OperationCanceledException)
        {
            // The client's deadline passed, it hung up, a newer verb for the attachment took over, or the agent stops.
            metrics.Requests.WithLabels(Label(verb), "timeout").Inc();
            log.Warning("ipam.request.timeout {Verb} {Pool} {ContainerId} {IfName} {Elapsed}", verb, request?.Pool, request?.ContainerId, request?.IfName, watch.Elapsed.TotalSeconds);
            return new AgentResponse
            {
                Ok = false, Code = CniErrorCodes.TryAgainLater,
                Msg = $"cdd-ipamd: {verb} was not finished before the client's deadline (or the client hung up, or a newer request for the attachment arrived); nothing is kept for it",
            };
        }
        catch (Exception ex)
        {
            var error = IpamFailures.ToCni(ex);
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
        string pool = PoolName(r);
        var (containerId, ifName) = Attachment(r);
        IPAddress? requested = null;
        if (r.RequestedIp is not null && !IPAddress.TryParse(r.RequestedIp, out requested))
            throw Invalid($"runtimeConfig.ips: \"{r.RequestedIp}\" is not an address");
        var attachment = new AttachmentRequest(pool, containerId, ifName, Network(r))
        {
            PodNamespace = r.PodNamespace ?? "",
            PodName = r.PodName ?? "",
            PodUid = r.PodUid ?? "",
            Requested = requested,
        };
        var turn = await Gate.EnterAsync(containerId, ifName, ct);
        // The claim runs on its own: at the deadline the client gets its code 11 at once, while a write already sent
        // finishes (its outcome must be known to be given back) and the attachment's turn is held until it has been.
        var claim = ClaimAsync(turn, attachment);
        _ = claim.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return await claim.WaitAsync(ct);
    }

    async Task<AgentResponse> ClaimAsync(AttachmentGate.Entry turn, AttachmentRequest attachment)
    {
        using var held = turn;
        var work = turn.Token;
        string pool = attachment.Pool, containerId = attachment.ContainerId, ifName = attachment.IfName;
        Allocation got;
        Cdd.Ipam.Model.Owner owner;
        try
        {
            (got, owner) = await _verbs.AddAsync(attachment, work);
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            // A claim may have landed before the cancel was seen: whatever the attachment holds goes back.
            await GiveBackAsync(pool, containerId, ifName, "cancelled");
            throw;
        }
        if (work.IsCancellationRequested)
        {
            // Done, but too late: the client will not use the answer, so the claim goes back at once.
            await GiveBackAsync(pool, containerId, ifName, "late");
            work.ThrowIfCancellationRequested();
        }
        Record.Know(containerId, ifName);
        metrics.Allocations.WithLabels(pool).Inc();
        if (got.Conflicts > 0) metrics.Conflicts.WithLabels(pool).Inc(got.Conflicts);
        log.Information("ipam.allocated {Pool} {Segment} {Vlan} {Address} {ContainerId} {IfName} {Pod} {Fixed} {Conflicts}",
            pool, got.Segment.Name, got.Reservation.Vlan, got.Reservation.Address.ToString(), containerId, ifName,
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
        string pool = PoolName(r);
        // Cancels an ADD of the attachment still in flight and waits for it, so what it took is released too.
        using var turn = await Gate.EnterAsync(containerId, ifName, ct);
        foreach (var x in await _verbs.DelAsync(pool, containerId, ifName, turn.Token))
        {
            metrics.Releases.WithLabels(pool, "del").Inc();
            log.Information("ipam.released {Pool} {Address} {ContainerId} {IfName} {KeptForFixed}", pool, x.Address.ToString(), containerId, ifName, x.Fixed?.ToString());
        }
        Record.Forget(containerId, ifName);
        return new AgentResponse { Ok = true };
    }

    /// <summary>
    /// Releases what the attachment holds, on the agent's own time (the caller holds the attachment's turn). When the API
    /// server does not let it, the leak collector finds the reservation later: no answered ADD stands behind it.
    /// </summary>
    async Task GiveBackAsync(string pool, string containerId, string ifName, string why)
    {
        try
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            budget.CancelAfter(GiveBackBudget);
            foreach (var x in await _verbs.DelAsync(pool, containerId, ifName, budget.Token))
            {
                metrics.Releases.WithLabels(pool, "abandoned").Inc();
                log.Warning("ipam.claim.returned {Pool} {Address} {ContainerId} {IfName} {Why}", pool, x.Address.ToString(), containerId, ifName, why);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or StoreUnavailableException or Cdd.Ipam.Engine.IpamException or IOException or ObjectDisposedException)
        {
            log.Warning("ipam.claim.return.failed {Pool} {ContainerId} {IfName} {Error}", pool, containerId, ifName, ex.Message);
        }
        Record.Forget(containerId, ifName);
    }

    /// <summary>
    /// A reservation the leak collector found without a known attachment: released under the attachment's turn (an ADD
    /// for it now in flight wins: then it is not a leak). Returns what was released.
    /// </summary>
    public async Task<IReadOnlyList<Cdd.Ipam.Model.Reservation>> CollectUnknownAsync(string pool, string containerId, string ifName, CancellationToken ct)
    {
        if (Gate.IsBusy(containerId, ifName) || Record.Knows(containerId, ifName)) return [];
        using var turn = await Gate.EnterAsync(containerId, ifName, ct);
        if (Record.Knows(containerId, ifName)) return [];
        return await _verbs.DelAsync(pool, containerId, ifName, turn.Token);
    }

    async Task<AgentResponse> CheckAsync(AgentRequest r, CancellationToken ct)
    {
        string pool = PoolName(r);
        var (containerId, ifName) = Attachment(r);
        var addresses = new List<IPAddress>();
        foreach (var (a, i) in (r.Addresses ?? []).Select((a, i) => (a, i)))
            addresses.Add(IPAddress.TryParse(a, out var ip) ? ip : throw Invalid($"prevResult.ips[{i}]: \"{a}\" is not an address"));
        await _verbs.CheckAsync(pool, containerId, ifName, addresses, ct);
        return new AgentResponse { Ok = true };
    }

    async Task<AgentResponse> GcAsync(AgentRequest r, CancellationToken ct)
    {
        string pool = PoolName(r);
        string network = Network(r);
        var valid = new List<(string, string)>();
        foreach (var (a, i) in (r.Valid ?? []).Select((a, i) => (a, i)))
        {
            if (string.IsNullOrEmpty(a.ContainerId) || string.IsNullOrEmpty(a.IfName))
                throw Invalid($"cni.dev/valid-attachments[{i}] needs containerID and ifname");
            valid.Add((a.ContainerId, a.IfName));
        }
        // The runtime vouches for these: the leak collector leaves them alone.
        foreach (var (c, i) in valid) Record.Know(c, i);
        foreach (var x in await _verbs.GcAsync(pool, network, valid, ct))
        {
            metrics.Releases.WithLabels(pool, "gc").Inc();
            if (x.Owner is { } o) Record.Forget(o.ContainerId, o.IfName);
            log.Information("ipam.collected {Pool} {Address} {Owner}", pool, x.Address.ToString(), x.Owner?.ToString());
        }
        return new AgentResponse { Ok = true };
    }

    async Task<AgentResponse> StatusAsync(AgentRequest r, CancellationToken ct)
    {
        await _verbs.StatusAsync(PoolName(r), ct);
        return new AgentResponse { Ok = true };
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

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

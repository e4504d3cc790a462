using System.Diagnostics;
using System.Net;
using Cdd.Cni.Spec;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// What the agent does with one plugin request: check the message, run the verb (written once, in
/// <see cref="IpamVerbs"/>, which cdd-ipam runs too), count and log it, and answer in the CNI's terms.
/// </summary>
internal sealed class AgentCore(IClusterView view, IPoolStores stores, string nodeName, AgentMetrics metrics, ILogger log, bool podsRequired,
    TimeProvider? clock = null)
{
    readonly IpamVerbs _verbs = new(view, stores, nodeName, podsRequired, clock: clock);

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
        var (got, owner) = await _verbs.AddAsync(new AttachmentRequest(pool, containerId, ifName, Network(r))
        {
            PodNamespace = r.PodNamespace ?? "",
            PodName = r.PodName ?? "",
            PodUid = r.PodUid ?? "",
            Requested = requested,
        }, ct);
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
        foreach (var x in await _verbs.DelAsync(pool, containerId, ifName, ct))
        {
            metrics.Releases.WithLabels(pool, "del").Inc();
            log.Information("ipam.released {Pool} {Address} {ContainerId} {IfName} {KeptForFixed}", pool, x.Address.ToString(), containerId, ifName, x.Fixed?.ToString());
        }
        return new AgentResponse { Ok = true };
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
        foreach (var x in await _verbs.GcAsync(pool, network, valid, ct))
        {
            metrics.Releases.WithLabels(pool, "gc").Inc();
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

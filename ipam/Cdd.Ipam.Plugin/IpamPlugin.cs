using System.Net;
using System.Text.Json;
using Cdd.Cni.Json;
using Cdd.Cni.Spec;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store.Files;
using Cdd.Native;

namespace Cdd.Ipam.Plugin;

/// <summary>The verbs, on the file store. Each opens the pool (taking its lock) for the length of the verb only.</summary>
public sealed class IpamPlugin(CniEnvironment env, NetConf config, IpamSettings settings)
{
    static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(10);
    string Pool => settings.Pool.Name;

    public byte[] Add()
    {
        var request = new AllocationRequest
        {
            Pool = settings.Pool,
            Node = settings.Node,
            Owner = OwnerFromEnv(),
            Fixed = FixedIdentityFromArgs(),
            Requested = RequestedAddress(),
        };
        Allocation got;
        using (var store = Open())
            got = new IpamService(store).AllocateAsync(request).GetAwaiter().GetResult();
        return ToResultJson(got);
    }

    public byte[]? Del()
    {
        using var store = Open();
        new IpamService(store).ReleaseAsync(Pool, env.ContainerId, env.IfName).GetAwaiter().GetResult();
        return null;
    }

    public byte[]? Check()
    {
        if (config.PrevResult is not { ValueKind: not JsonValueKind.Null } prevJson)
            throw new CniException(CniErrorCodes.InvalidNetworkConfig, "prevResult is required for CHECK");
        var prev = ResultReader.Read(prevJson, "prevResult");
        Reservation? held;
        using (var store = Open())
            held = store.SnapshotAsync(Pool, true, default).GetAwaiter().GetResult().Reservations
                .FirstOrDefault(r => r.Owner is { } o && o.IsAttachment(env.ContainerId, env.IfName));
        if (held is null)
            throw new CniException(IpamErrorCodes.CheckFailed, $"pool {Pool} holds no address for container {env.ContainerId} interface {env.IfName}");
        if (!prev.Ips.Any(ip => ip.Address.Address.Equals(held.Address)))
            throw new CniException(IpamErrorCodes.CheckFailed,
                $"pool {Pool} holds {held.Address} for container {env.ContainerId}, but prevResult has {string.Join(", ", prev.Ips.Select(i => i.Address))}");
        return null;
    }

    public byte[]? Gc()
    {
        var valid = (config.ValidAttachments ?? [])
            .Where(a => a.ContainerId is not null && a.IfName is not null)
            .Select(a => (a.ContainerId!, a.IfName!))
            .ToHashSet();
        using var store = Open();
        new IpamService(store).CollectAsync(Pool, settings.Node.Name, config.Name!, valid).GetAwaiter().GetResult();
        return null;
    }

    /// <summary>Available means an ADD on this node would get an address now: the store opens and a candidate exists.</summary>
    public byte[]? Status()
    {
        PoolSnapshot snapshot;
        try
        {
            using var store = Open();
            snapshot = store.SnapshotAsync(Pool, true, default).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is Store.StoreUnavailableException or IOException or UnauthorizedAccessException)
        {
            throw new CniException(CniErrorCodes.PluginNotAvailable, $"pool {Pool}: the store is not available: {ex.Message}");
        }
        var probe = new AllocationRequest { Pool = settings.Pool, Node = settings.Node, Owner = new Owner("", "") };
        try
        {
            if (!Allocator.Plan(probe, snapshot).Candidates.Any())
                throw new CniException(CniErrorCodes.PluginNotAvailable, $"pool {Pool} is exhausted for node {settings.Node.Name}");
        }
        catch (IpamException ex)
        {
            throw new CniException(CniErrorCodes.PluginNotAvailable, ex.Message);
        }
        return null;
    }

    FileReservationStore Open() => FileReservationStore.Open(settings.DataDir, Pool, LockTimeout());

    /// <summary>CDD_IPAM_LOCK_TIMEOUT (seconds) bounds the wait for a pool another run holds; then the answer is code 11.</summary>
    TimeSpan LockTimeout()
    {
        if (env.Get("CDD_IPAM_LOCK_TIMEOUT") is not { } text) return DefaultLockTimeout;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 3600)
            return TimeSpan.FromSeconds(s);
        throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"CDD_IPAM_LOCK_TIMEOUT \"{text}\" is not a number of seconds (0..3600]");
    }

    Owner OwnerFromEnv() => new(env.ContainerId, env.IfName)
    {
        PodNamespace = Arg("K8S_POD_NAMESPACE"),
        PodName = Arg("K8S_POD_NAME"),
        PodUid = Arg("K8S_POD_UID"),
        Network = config.Name!,
    };

    FixedIdentity? FixedIdentityFromArgs()
    {
        string ns = Arg("K8S_POD_NAMESPACE"), pod = Arg("K8S_POD_NAME");
        return ns == "" || pod == "" ? null : FixedIdentity.FromPodName(ns, pod, settings.FixedStatefulSets);
    }

    string Arg(string key) => env.Args.TryGetValue(key, out var v) ? v : "";

    IPAddress? RequestedAddress()
    {
        var ips = config.RuntimeConfig?.Ips;
        if (ips is null || ips.Count == 0) return null;
        if (ips.Count > 1)
            throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"runtimeConfig.ips: cdd-ipam gives one address per attachment, {ips.Count} were requested");
        // NetConfParser already checked the text; a prefix length is the caller's view of the subnet, the pool's wins.
        string text = ips[0];
        int slash = text.IndexOf('/');
        return IPAddress.Parse(slash < 0 ? text : text[..slash]);
    }

    byte[] ToResultJson(Allocation got)
    {
        var segment = got.Segment;
        var result = new CniResult { Segment = segment.Name, Vlan = got.Reservation.Vlan };
        result.Ips.Add(new CniIpConfig { Address = new IpPrefix(got.Reservation.Address, segment.Subnet.PrefixLength), Gateway = segment.Gateway });
        foreach (var r in segment.Routes) result.Routes.Add(new CniRoute { Dst = r.Dst, Gw = r.Gw });
        return ToResultJson(result, config.CniVersion!);
    }

    /// <summary>The CNI result in the config's version, plus "segment" and "vlan" at the top level for cdd-cni.</summary>
    public static byte[] ToResultJson(CniResult result, string cniVersion)
    {
        var wire = ResultWriter.ToWire(result, cniVersion);
        var node = JsonSerializer.SerializeToNode(wire, CniJsonContext.Default.ResultJson)!.AsObject();
        node["segment"] = result.Segment;
        node["vlan"] = result.Vlan ?? 0;
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}

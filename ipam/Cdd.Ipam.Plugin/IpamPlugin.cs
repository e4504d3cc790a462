using System.Net;
using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Ipam.Files;
using Cdd.Ipam.Service;
using Cdd.Net;

namespace Cdd.Ipam.Plugin;

/// <summary>
/// The verbs on the file store: an adapter that turns the CNI environment and config into calls of
/// <see cref="IpamVerbs"/> (the same verbs cdd-ipamd runs), each opening the pool (taking its lock) for the length of the verb only.
/// </summary>
internal sealed class IpamPlugin(CniEnvironment env, NetConf config, IpamSettings settings)
{
    static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(10);
    string Pool => settings.Pool.Name;

    IpamVerbs Verbs() => new(
        new FileClusterView([settings.Pool], settings.Node, settings.DataDir),
        new FilePoolStores(settings.DataDir, LockTimeout()),
        settings.Node.Name,
        fixedStatefulSets: settings.FixedStatefulSets);

    public byte[] Add()
    {
        var request = new AttachmentRequest(Pool, env.ContainerId, env.IfName, config.Name!)
        {
            PodNamespace = Arg("K8S_POD_NAMESPACE"),
            PodName = Arg("K8S_POD_NAME"),
            PodUid = Arg("K8S_POD_UID"),
            Requested = RequestedAddress(),
        };
        var (got, _) = Verbs().AddAsync(request).GetAwaiter().GetResult();
        return ToResultJson(got);
    }

    public byte[]? Del()
    {
        Verbs().DelAsync(Pool, env.ContainerId, env.IfName).GetAwaiter().GetResult();
        return null;
    }

    public byte[]? Check()
    {
        if (config.PrevResult is not { ValueKind: not JsonValueKind.Null } prevJson)
            throw new CniException(CniErrorCodes.InvalidNetworkConfig, "prevResult is required for CHECK");
        var prev = ResultReader.Read(prevJson, "prevResult");
        Verbs().CheckAsync(Pool, env.ContainerId, env.IfName, prev.Ips.Select(i => i.Address.Address).ToList()).GetAwaiter().GetResult();
        return null;
    }

    public byte[]? Gc()
    {
        var valid = (config.ValidAttachments ?? [])
            .Where(a => a.ContainerId is not null && a.IfName is not null)
            .Select(a => (a.ContainerId!, a.IfName!));
        Verbs().GcAsync(Pool, config.Name!, valid).GetAwaiter().GetResult();
        return null;
    }

    public byte[]? Status()
    {
        Verbs().StatusAsync(Pool).GetAwaiter().GetResult();
        return null;
    }

    /// <summary>CDD_IPAM_LOCK_TIMEOUT (seconds) bounds the wait for a pool another run holds; then the answer is code 11.</summary>
    TimeSpan LockTimeout()
    {
        if (env.Get("CDD_IPAM_LOCK_TIMEOUT") is not { } text) return DefaultLockTimeout;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 3600)
            return TimeSpan.FromSeconds(s);
        throw new CniException(CniErrorCodes.InvalidEnvironmentVariables, $"CDD_IPAM_LOCK_TIMEOUT \"{text}\" is not a number of seconds (0..3600]");
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

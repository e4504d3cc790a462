using System.Net;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Net;

namespace Cdd.Ipam.Agent.Protocol;

/// <summary>
/// The CNI verbs asked of cdd-ipamd: cdd-cni asks it directly (no second binary exec'd on the pod's start), and the
/// cdd-ipam binary does the same under another main plugin, so both paths send the same requests.
/// </summary>
public sealed class AgentVerbs(AgentSettings settings, CniEnvironment env, NetConf config)
{
    public CniResult Add() => ToResult(Call("ADD", request =>
    {
        if (config.RuntimeConfig?.Ips is not { Count: > 0 } ips) return;
        if (ips.Count > 1)
            throw new CniException(CniErrorCodes.InvalidNetworkConfig, $"runtimeConfig.ips: cdd-ipam gives one address per attachment, {ips.Count} were requested");
        string text = ips[0];
        int slash = text.IndexOf('/');
        request.RequestedIp = slash < 0 ? text : text[..slash];
    }));

    public void Del() => Call("DEL");

    public void Check(CniResult prevResult) => Call("CHECK", request =>
        request.Addresses = prevResult.Ips.Select(i => i.Address.Address.ToString()).ToList());

    public void Gc() => Call("GC", request =>
        request.Valid = (config.ValidAttachments ?? [])
            .Where(a => a.ContainerId is not null && a.IfName is not null)
            .Select(a => new AgentAttachment { ContainerId = a.ContainerId, IfName = a.IfName })
            .ToList());

    public void Status()
    {
        try
        {
            Call("STATUS");
        }
        catch (CniException ex) when (ex.Code == CniErrorCodes.TryAgainLater)
        {
            // STATUS speaks in availability: an agent that cannot be reached means no ADD can succeed now.
            throw new CniException(CniErrorCodes.PluginNotAvailable, ex.Msg, ex.Details);
        }
    }

    /// <summary>Builds the request every verb shares (attachment, network, the pod identity from CNI_ARGS), lets the verb add its part, sends it.</summary>
    AgentResponse Call(string verb, Action<AgentRequest>? fill = null)
    {
        string Arg(string key) => env.Args.TryGetValue(key, out var v) ? v : "";
        bool needsAttachment = verb is "ADD" or "DEL" or "CHECK";
        var request = new AgentRequest
        {
            Verb = verb,
            Pool = settings.Pool,
            Network = config.Name,
            ContainerId = needsAttachment ? env.ContainerId : null,
            IfName = needsAttachment ? env.IfName : null,
            PodNamespace = NullIfEmpty(Arg("K8S_POD_NAMESPACE")),
            PodName = NullIfEmpty(Arg("K8S_POD_NAME")),
            PodUid = NullIfEmpty(Arg("K8S_POD_UID")),
        };
        fill?.Invoke(request);
        return AgentClient.Call(settings.Socket, request, settings.Timeout);
    }

    /// <summary>The agent's answer as a CNI result, with the segment and its VLAN for modes that tag (SR-IOV).</summary>
    public static CniResult ToResult(AgentResponse response)
    {
        var result = new CniResult { Segment = response.Segment, Vlan = response.Vlan };
        foreach (var ip in response.Ips ?? [])
        {
            if (ip.Address is null || !IpPrefix.TryParse(ip.Address, out var address))
                throw new CniException(CniErrorCodes.Internal, $"cdd-ipamd answered an address that is not CIDR: \"{ip.Address}\"");
            IPAddress? gw = null;
            if (ip.Gateway is not null && !IPAddress.TryParse(ip.Gateway, out gw))
                throw new CniException(CniErrorCodes.Internal, $"cdd-ipamd answered a gateway that is not an address: \"{ip.Gateway}\"");
            result.Ips.Add(new CniIpConfig { Address = address, Gateway = gw });
        }
        foreach (var r in response.Routes ?? [])
        {
            if (r.Dst is null || !IpPrefix.TryParse(r.Dst, out var dst))
                throw new CniException(CniErrorCodes.Internal, $"cdd-ipamd answered a route that is not CIDR: \"{r.Dst}\"");
            IPAddress? gw = null;
            if (r.Gw is not null && !IPAddress.TryParse(r.Gw, out gw))
                throw new CniException(CniErrorCodes.Internal, $"cdd-ipamd answered a route gateway that is not an address: \"{r.Gw}\"");
            result.Routes.Add(new CniRoute { Dst = dst, Gw = gw });
        }
        if (result.Ips.Count == 0)
            throw new CniException(CniErrorCodes.Internal, "cdd-ipamd answered ADD without an address");
        return result;
    }

    static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}

using System.Net;
using System.Text.Json;
using Cdd.Cni.Spec.Json;
using Cdd.Net;

namespace Cdd.Cni.Spec;

/// <summary>
/// Reads a result of any supported version (a prevResult, an IPAM plugin's answer) into the 1.1 shape.
/// Every failure is code 6 and starts with <c>what</c>, so the runtime can tell which input was bad.
/// </summary>
public static class ResultReader
{
    public static CniResult Read(ReadOnlySpan<byte> json, string what)
    {
        ResultJson? wire;
        try
        {
            wire = JsonSerializer.Deserialize(json, CniJsonContext.Default.ResultJson);
        }
        catch (JsonException ex)
        {
            throw DecodeFailure.From(ex, what);
        }
        return FromWire(wire, what);
    }

    public static CniResult Read(JsonElement element, string what)
    {
        ResultJson? wire;
        try
        {
            wire = element.Deserialize(CniJsonContext.Default.ResultJson);
        }
        catch (JsonException ex)
        {
            throw DecodeFailure.From(ex, what);
        }
        return FromWire(wire, what);
    }

    private static CniResult FromWire(ResultJson? wire, string what)
    {
        if (wire is null) throw Bad(what, "expected a result object, got null");
        if (string.IsNullOrEmpty(wire.CniVersion)) throw Bad(what, "cniVersion is missing");
        if (!CniVersions.IsSupported(wire.CniVersion))
            throw new CniException(CniErrorCodes.IncompatibleVersion,
                $"{what}: cniVersion {wire.CniVersion} is not supported; supported: {string.Join(", ", CniVersions.Supported)}");

        if (wire.Vlan is { } vlan && vlan is < 0 or > 4094) throw Bad(what, $"vlan {vlan} is out of range (0..4094)");
        var result = new CniResult { Segment = wire.Segment, Vlan = wire.Vlan };
        foreach (var (i, n) in Indexed(wire.Interfaces))
        {
            if (string.IsNullOrEmpty(i.Name)) throw Bad(what, $"interfaces[{n}].name is missing");
            result.Interfaces.Add(new CniInterface
            {
                Name = i.Name,
                Mac = i.Mac,
                Mtu = i.Mtu,
                Sandbox = i.Sandbox,
                SocketPath = i.SocketPath,
                PciId = i.PciId,
            });
        }
        foreach (var (ip, n) in Indexed(wire.Ips))
        {
            // The "version" tag of 0.3.x/0.4.0 is redundant with the address itself, so it is not trusted or kept.
            if (ip.Interface is int idx && (idx < 0 || idx >= result.Interfaces.Count))
                throw Bad(what, $"ips[{n}].interface {idx} does not index interfaces (count {result.Interfaces.Count})");
            result.Ips.Add(new CniIpConfig
            {
                Address = Prefix(ip.Address, $"ips[{n}].address", what),
                Gateway = Address(ip.Gateway, $"ips[{n}].gateway", what),
                Interface = ip.Interface,
            });
        }
        foreach (var (r, n) in Indexed(wire.Routes))
        {
            result.Routes.Add(new CniRoute
            {
                Dst = Prefix(r.Dst, $"routes[{n}].dst", what),
                Gw = Address(r.Gw, $"routes[{n}].gw", what),
                Mtu = r.Mtu,
                AdvMss = r.AdvMss,
                Priority = r.Priority,
                Table = r.Table,
                Scope = r.Scope,
            });
        }
        result.Dns = wire.Dns;
        return result;
    }

    private static IEnumerable<(T Item, int Index)> Indexed<T>(List<T>? items) =>
        (items ?? []).Select((item, n) => (item, n));

    private static IpPrefix Prefix(string? text, string field, string what)
    {
        if (string.IsNullOrEmpty(text)) throw Bad(what, $"{field} is missing");
        return IpText.TryParsePrefix(text, out var p) ? p : throw Bad(what, $"{field} \"{text}\" is not an address with a prefix length");
    }

    private static IPAddress? Address(string? text, string field, string what)
    {
        if (string.IsNullOrEmpty(text)) return null;
        return IpText.TryParseAddress(text, out var a) ? a : throw Bad(what, $"{field} \"{text}\" is not an IP address");
    }

    private static CniException Bad(string what, string msg) => new(CniErrorCodes.DecodingFailure, $"{what}: {msg}");
}

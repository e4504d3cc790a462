using System.Net.Sockets;
using System.Text.Json;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Spec;

/// <summary>Prints a result in the version the runtime asked for, with exactly the fields that version defines.</summary>
public static class ResultWriter
{
    public static byte[] ToJsonUtf8(CniResult result, string cniVersion) =>
        JsonSerializer.SerializeToUtf8Bytes(ToWire(result, cniVersion), CniJsonContext.Default.ResultJson);

    public static string ToJson(CniResult result, string cniVersion) =>
        JsonSerializer.Serialize(ToWire(result, cniVersion), CniJsonContext.Default.ResultJson);

    public static ResultJson ToWire(CniResult result, string cniVersion)
    {
        if (!CniVersions.IsSupported(cniVersion))
            throw new CniException(CniErrorCodes.IncompatibleVersion, $"cannot print a result for cniVersion {cniVersion}");
        bool legacy = !CniVersions.AtLeast(cniVersion, "1.0.0"); // 0.3.x and 0.4.0 tag each ip with its family
        bool v11 = CniVersions.AtLeast(cniVersion, "1.1.0");

        return new ResultJson
        {
            CniVersion = cniVersion,
            Interfaces = NullIfEmpty(result.Interfaces.Select(i => new InterfaceJson
            {
                Name = i.Name,
                Mac = i.Mac,
                Sandbox = i.Sandbox,
                Mtu = v11 ? i.Mtu : null,
                SocketPath = v11 ? i.SocketPath : null,
                PciId = v11 ? i.PciId : null,
            })),
            Ips = NullIfEmpty(result.Ips.Select(ip => new IpConfigJson
            {
                Version = legacy ? (ip.Address.Family == AddressFamily.InterNetwork ? "4" : "6") : null,
                Address = ip.Address.ToString(),
                Gateway = ip.Gateway?.ToString(),
                Interface = ip.Interface,
            })),
            Routes = NullIfEmpty(result.Routes.Select(r => new RouteJson
            {
                Dst = r.Dst.ToString(),
                Gw = r.Gw?.ToString(),
                Mtu = v11 ? r.Mtu : null,
                AdvMss = v11 ? r.AdvMss : null,
                Priority = v11 ? r.Priority : null,
                Table = v11 ? r.Table : null,
                Scope = v11 ? r.Scope : null,
            })),
            Dns = Trim(result.Dns),
        };
    }

    // Go plugins omit empty lists and an empty dns; runtimes compare against that shape.
    private static List<T>? NullIfEmpty<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? null : list;
    }

    private static CniDns? Trim(CniDns? dns)
    {
        if (dns is null) return null;
        var trimmed = new CniDns
        {
            Nameservers = dns.Nameservers is { Count: > 0 } ns ? ns : null,
            Domain = string.IsNullOrEmpty(dns.Domain) ? null : dns.Domain,
            Search = dns.Search is { Count: > 0 } s ? s : null,
            Options = dns.Options is { Count: > 0 } o ? o : null,
        };
        return trimmed is { Nameservers: null, Domain: null, Search: null, Options: null } ? null : trimmed;
    }
}

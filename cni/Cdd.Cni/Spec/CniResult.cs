using System.Net;
using System.Text.Json.Serialization;
using Cdd.Native;

namespace Cdd.Cni.Spec;

/// <summary>
/// The in-memory result, shaped like the CNI 1.1 result. The dispatcher converts it to the
/// version the runtime asked for when it is printed.
/// </summary>
public sealed class CniResult
{
    public List<CniInterface> Interfaces { get; init; } = [];
    public List<CniIpConfig> Ips { get; init; } = [];
    public List<CniRoute> Routes { get; init; } = [];
    public CniDns? Dns { get; set; }
    /// <summary>cdd-ipam only, not part of the wire result: the segment the address came from and its VLAN (0: untagged).</summary>
    public string? Segment { get; set; }
    public int? Vlan { get; set; }
}

public sealed class CniInterface
{
    public required string Name { get; init; }
    public string? Mac { get; set; }
    public int? Mtu { get; set; }
    /// <summary>The netns path for a container interface; null for a host-side interface.</summary>
    public string? Sandbox { get; set; }
    public string? SocketPath { get; set; }
    public string? PciId { get; set; }
}

public sealed class CniIpConfig
{
    /// <summary>Address with prefix length, e.g. 10.1.0.5/24.</summary>
    public required IpPrefix Address { get; init; }
    public IPAddress? Gateway { get; set; }
    /// <summary>Index into <see cref="CniResult.Interfaces"/>.</summary>
    public int? Interface { get; set; }
}

public sealed class CniRoute
{
    public required IpPrefix Dst { get; init; }
    public IPAddress? Gw { get; set; }
    public int? Mtu { get; set; }
    public int? AdvMss { get; set; }
    public int? Priority { get; set; }
    public int? Table { get; set; }
    public int? Scope { get; set; }
}

/// <summary>Same shape in the config's "dns" and in every result version, so it is its own wire type.</summary>
public sealed class CniDns
{
    [JsonPropertyName("nameservers")] public List<string>? Nameservers { get; set; }
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("search")] public List<string>? Search { get; set; }
    [JsonPropertyName("options")] public List<string>? Options { get; set; }
}

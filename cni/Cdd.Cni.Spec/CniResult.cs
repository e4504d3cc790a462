using Cdd.Cni.Spec.Json;

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

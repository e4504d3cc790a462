using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>A result of any supported version as it is on the wire; <see cref="ResultWriter"/> decides which fields a version gets.</summary>
public sealed class ResultJson
{
    [JsonPropertyName("cniVersion")] public string? CniVersion { get; set; }
    [JsonPropertyName("interfaces")] public List<InterfaceJson>? Interfaces { get; set; }
    [JsonPropertyName("ips")] public List<IpConfigJson>? Ips { get; set; }
    [JsonPropertyName("routes")] public List<RouteJson>? Routes { get; set; }
    [JsonPropertyName("dns")] public CniDns? Dns { get; set; }
    /// <summary>cdd-ipam's extension (read only, never written by cdd-cni): the segment of the address and its VLAN.</summary>
    [JsonPropertyName("segment")] public string? Segment { get; set; }
    [JsonPropertyName("vlan")] public int? Vlan { get; set; }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cdd.Cni.Spec.Json;

/// <summary>
/// The network configuration on stdin. Common fields of the CNI spec plus the fields of our modes;
/// each mode validates its own fields.
/// </summary>
public sealed class NetConf
{
    [JsonPropertyName("cniVersion")] public string? CniVersion { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("ipam")] public JsonElement? Ipam { get; set; }
    [JsonPropertyName("dns")] public CniDns? Dns { get; set; }
    [JsonPropertyName("prevResult")] public JsonElement? PrevResult { get; set; }
    [JsonPropertyName("runtimeConfig")] public RuntimeConfig? RuntimeConfig { get; set; }
    /// <summary>GC only: the attachments the runtime still knows about.</summary>
    [JsonPropertyName("cni.dev/valid-attachments")] public List<ValidAttachment>? ValidAttachments { get; set; }

    /// <summary>Which mode plugs the interface: "macvlan" or "overlay" (later "sriov").</summary>
    [JsonPropertyName("mode")] public string? Mode { get; set; }
    [JsonPropertyName("mtu")] public int? Mtu { get; set; }

    // macvlan
    [JsonPropertyName("master")] public string? Master { get; set; }
    [JsonPropertyName("macvlanMode")] public string? MacvlanMode { get; set; }

    // overlay
    [JsonPropertyName("bridge")] public string? Bridge { get; set; }
    [JsonPropertyName("vni")] public int? Vni { get; set; }
    [JsonPropertyName("vxlanPort")] public int? VxlanPort { get; set; }
    [JsonPropertyName("underlay")] public string? Underlay { get; set; }
    [JsonPropertyName("localAddress")] public string? LocalAddress { get; set; }
    [JsonPropertyName("peers")] public List<string>? Peers { get; set; }

    // sriov
    /// <summary>The VF's PCI address, as the SR-IOV device plugin injects it (through Multus).</summary>
    [JsonPropertyName("deviceID")] public string? DeviceId { get; set; }
    /// <summary>Without a device plugin: the PFs (netdev names) whose free VFs may be taken.</summary>
    [JsonPropertyName("pfs")] public List<string?>? Pfs { get; set; }
    [JsonPropertyName("vlan")] public int? Vlan { get; set; }
    [JsonPropertyName("vlanQoS")] public int? VlanQos { get; set; }
    [JsonPropertyName("vlanProto")] public string? VlanProto { get; set; }
    [JsonPropertyName("spoofchk")] public string? SpoofChk { get; set; }
    [JsonPropertyName("trust")] public string? Trust { get; set; }
    [JsonPropertyName("link_state")] public string? LinkState { get; set; }
    [JsonPropertyName("min_tx_rate")] public int? MinTxRate { get; set; }
    [JsonPropertyName("max_tx_rate")] public int? MaxTxRate { get; set; }
    [JsonPropertyName("mac")] public string? Mac { get; set; }

    /// <summary>The "type" inside "ipam", or null when there is no ipam section.</summary>
    [JsonIgnore]
    public string? IpamType =>
        Ipam is { ValueKind: JsonValueKind.Object } ipam && ipam.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;
}

using System.Text.Json.Serialization;

namespace Cdd.Cni.Sriov;

/// <summary>The sriov mode's fields of the network config, as on the wire (the names sriov-cni uses).</summary>
internal sealed class SriovConf
{
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
}

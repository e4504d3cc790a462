using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Native.Rtnl;
using Cdd.Native.Sysfs;
using Cdd.Net;

namespace Cdd.Cni.Sriov;

/// <summary>
/// The sriov mode's fields, validated. Every refusal is code 7 naming the field. VLAN, QoS and the tag protocol go
/// together; a VLAN left out is taken from the IPAM result (the segment of the pod's address).
/// </summary>
internal sealed record SriovSettings
{
    public string? DeviceId { get; init; }
    public IReadOnlyList<string> Pfs { get; init; } = [];
    public int? Vlan { get; init; }
    public int Qos { get; init; }
    public VlanProtocol Protocol { get; init; } = VlanProtocol.Dot1Q;
    public bool? SpoofCheck { get; init; }
    public bool? Trust { get; init; }
    public VfLinkState? LinkState { get; init; }
    public (uint Min, uint Max)? Rate { get; init; }
    public MacAddress? Mac { get; init; }
    public int? Mtu { get; init; }

    public static SriovSettings Parse(NetConf common, byte[] raw, CniCommand command) =>
        Parse(common, NetConfParser.ParseModeFields(raw, SriovJsonContext.Default.SriovConf), command);

    static SriovSettings Parse(NetConf common, SriovConf c, CniCommand command)
    {
        string? device = c.DeviceId ?? common.RuntimeConfig?.DeviceId;
        if (device is not null && !SriovSysfs.IsPciAddress(device))
            throw Invalid($"deviceID \"{device}\" is not a PCI address (like 0000:3b:02.1)");

        var pfs = new List<string>();
        foreach (var (pf, i) in (c.Pfs ?? []).Select((p, i) => (p, i)))
            pfs.Add(RtnlLinks.IsValidName(pf) ? pf! : throw Invalid($"pfs[{i}] \"{pf}\" is not an interface name"));
        if (device is null && pfs.Count == 0 && command is CniCommand.Add)
            throw Invalid("deviceID (from the SR-IOV device plugin, or runtimeConfig.deviceID) or pfs (PFs whose free VFs may be taken) is required");

        if (c.Vlan is { } vlan && vlan is < 0 or > 4094) throw Invalid($"vlan {vlan} is out of range (0..4094)");
        if (c.VlanQos is { } qos)
        {
            if (c.Vlan is null) throw Invalid("vlanQoS needs vlan");
            if (qos is < 0 or > 7) throw Invalid($"vlanQoS {qos} is out of range (0..7)");
        }
        var proto = VlanProtocol.Dot1Q;
        if (c.VlanProto is { } p)
        {
            if (c.Vlan is null) throw Invalid("vlanProto needs vlan");
            proto = p switch
            {
                "802.1Q" or "802.1q" => VlanProtocol.Dot1Q,
                "802.1ad" or "802.1AD" => VlanProtocol.Dot1Ad,
                _ => throw Invalid($"vlanProto \"{p}\" is not 802.1Q or 802.1ad"),
            };
        }

        (uint, uint)? rate = null;
        if (c.MinTxRate is not null || c.MaxTxRate is not null)
        {
            int min = c.MinTxRate ?? 0, max = c.MaxTxRate ?? 0;
            if (min < 0) throw Invalid($"min_tx_rate {min} must not be negative");
            if (max < 0) throw Invalid($"max_tx_rate {max} must not be negative");
            if (max != 0 && min > max) throw Invalid($"min_tx_rate {min} is above max_tx_rate {max}");
            rate = ((uint)min, (uint)max);
        }

        MacAddress? mac = common.RuntimeConfig?.ParsedMac;
        string? macText = common.RuntimeConfig?.ParsedMac is null ? c.Mac : null;
        if (macText is not null)
        {
            if (!MacAddress.TryParse(macText, out var m)) throw Invalid($"mac \"{macText}\" is not a 6-byte MAC address");
            if (m.IsMulticast || m.IsZero) throw Invalid($"mac \"{macText}\" is not a unicast MAC address");
            mac = m;
        }
        if (common.Mtu is { } mtu && mtu is < 68 or > 65535) throw Invalid($"mtu {mtu} is out of range (68..65535)");

        return new SriovSettings
        {
            DeviceId = device,
            Pfs = pfs,
            Vlan = c.Vlan,
            Qos = c.VlanQos ?? 0,
            Protocol = proto,
            SpoofCheck = OnOff(c.SpoofChk, "spoofchk"),
            Trust = OnOff(c.Trust, "trust"),
            LinkState = c.LinkState switch
            {
                null => null,
                "auto" => VfLinkState.Auto,
                "enable" => VfLinkState.Enable,
                "disable" => VfLinkState.Disable,
                var s => throw Invalid($"link_state \"{s}\" is not auto, enable or disable"),
            },
            Rate = rate,
            Mac = mac,
            Mtu = common.Mtu,
        };
    }

    /// <summary>What to set on the VF through the PF, with the VLAN of the address's segment when the config names none.</summary>
    public VfChange ChangeFor(int? segmentVlan)
    {
        int? vlan = Vlan ?? (segmentVlan is > 0 ? segmentVlan : null);
        return new VfChange
        {
            Mac = Mac,
            Vlan = vlan is { } v ? (v, Vlan is null ? 0 : Qos, Vlan is null ? VlanProtocol.Dot1Q : Protocol) : null,
            SpoofCheck = SpoofCheck,
            Trust = Trust,
            LinkState = LinkState,
            Rate = Rate,
        };
    }

    static bool? OnOff(string? v, string field) => v switch
    {
        null => null,
        "on" => true,
        "off" => false,
        _ => throw Invalid($"{field} \"{v}\" is not on or off"),
    };

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

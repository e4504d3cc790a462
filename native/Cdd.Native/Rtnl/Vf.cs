using Cdd.Net;

namespace Cdd.Native.Rtnl;

public enum VfLinkState : uint { Auto = 0, Enable = 1, Disable = 2 }

/// <summary>802.1Q (customer tag) or 802.1ad (service tag), as the EtherType the VF tags with.</summary>
public enum VlanProtocol : ushort { Dot1Q = 0x8100, Dot1Ad = 0x88A8 }

/// <summary>
/// One VF's settings as its PF reports them (IFLA_VF_INFO). A setting the driver does not report is null;
/// spoof check and trust are null when the driver reports "not supported" (all ones).
/// </summary>
public sealed record VfInfo
{
    public required int Index { get; init; }
    public MacAddress? Mac { get; init; }
    public int Vlan { get; init; }
    public int Qos { get; init; }
    public VlanProtocol VlanProtocol { get; init; } = VlanProtocol.Dot1Q;
    public bool? SpoofCheck { get; init; }
    public bool? Trust { get; init; }
    public VfLinkState? LinkState { get; init; }
    /// <summary>Mbit/s; 0 means no limit.</summary>
    public uint MinTxRate { get; init; }
    public uint MaxTxRate { get; init; }
}

/// <summary>What to change on one VF through its PF; null leaves a setting as it is.</summary>
public sealed record VfChange
{
    public MacAddress? Mac { get; init; }
    /// <summary>VLAN, QoS and protocol go together (0 clears the tag).</summary>
    public (int Vlan, int Qos, VlanProtocol Protocol)? Vlan { get; init; }
    public bool? SpoofCheck { get; init; }
    public bool? Trust { get; init; }
    public VfLinkState? LinkState { get; init; }
    public (uint Min, uint Max)? Rate { get; init; }

    public bool IsEmpty => Mac is null && Vlan is null && SpoofCheck is null && Trust is null && LinkState is null && Rate is null;

    /// <summary>The change that puts back what <paramref name="saved"/> recorded, for the settings <paramref name="made"/> touched.</summary>
    public static VfChange Restoring(VfInfo saved, VfChange made) => new()
    {
        Mac = made.Mac is not null ? saved.Mac : null,
        Vlan = made.Vlan is not null ? (saved.Vlan, saved.Qos, saved.VlanProtocol) : null,
        SpoofCheck = made.SpoofCheck is not null ? saved.SpoofCheck : null,
        Trust = made.Trust is not null ? saved.Trust : null,
        LinkState = made.LinkState is not null ? saved.LinkState : null,
        Rate = made.Rate is not null ? (saved.MinTxRate, saved.MaxTxRate) : null,
    };
}

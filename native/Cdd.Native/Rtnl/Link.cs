using System.Net;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>A link as the kernel reports it (RTM_NEWLINK reply).</summary>
public sealed record Link
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public MacAddress? Mac { get; init; }
    public int Mtu { get; init; }
    public uint Flags { get; init; }
    public int MasterIndex { get; init; }
    /// <summary>IFLA_LINK: the parent (macvlan's master, vxlan's underlay, a veth's peer).</summary>
    public int ParentIndex { get; init; }
    /// <summary>IFLA_INFO_KIND ("veth", "macvlan", "vxlan", "bridge"), or null for a physical device.</summary>
    public string? Kind { get; init; }
    public byte OperState { get; init; }
    /// <summary>IFLA_IFALIAS, or null when the link has none (the kernel keeps it; we use it as our mark).</summary>
    public string? Alias { get; init; }
    public MacvlanMode? MacvlanMode { get; init; }
    public uint? VxlanId { get; init; }
    public ushort? VxlanPort { get; init; }
    public IPAddress? VxlanLocal { get; init; }
    public bool IsUp => (Flags & Nl.IFF_UP) != 0;
    public bool HasCarrier => (Flags & Nl.IFF_LOWER_UP) != 0;
}

/// <summary>The macvlan modes of if_link.h.</summary>
public enum MacvlanMode : uint
{
    Private = 1,
    Vepa = 2,
    Bridge = 4,
    Passthru = 8,
    Source = 16,
}

using System.Net;
using Cdd.Native.Namespaces;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>What to create. Kind-specific data lives in the derived records.</summary>
public abstract record LinkSpec(string Name)
{
    public int? Mtu { get; init; }
    public MacAddress? Mac { get; init; }
    /// <summary>Create the link directly inside this namespace (IFLA_NET_NS_FD).</summary>
    public NetNs? Namespace { get; init; }
    public abstract string Kind { get; }
}

public sealed record BridgeSpec(string Name) : LinkSpec(Name)
{
    public override string Kind => "bridge";
}

public sealed record MacvlanSpec(string Name, int ParentIndex, MacvlanMode Mode) : LinkSpec(Name)
{
    public override string Kind => "macvlan";
}

/// <summary>A veth pair; the peer may be created directly in another namespace.</summary>
public sealed record VethSpec(string Name, string PeerName) : LinkSpec(Name)
{
    public NetNs? PeerNamespace { get; init; }
    public MacAddress? PeerMac { get; init; }
    public override string Kind => "veth";
}

public sealed record VxlanSpec(string Name, uint Vni) : LinkSpec(Name)
{
    public ushort Port { get; init; } = 4789;
    public int UnderlayIndex { get; init; }
    public IPAddress? Local { get; init; }
    /// <summary>Learn remote MACs from received frames (head-end replication needs it for unicast).</summary>
    public bool Learning { get; init; } = true;
    public override string Kind => "vxlan";
}

using System.Net;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>A route in one table. Dst 0.0.0.0/0 or ::/0 is a default route.</summary>
public sealed record Route
{
    public required IpPrefix Dst { get; init; }
    public IPAddress? Gateway { get; init; }
    public int OutIndex { get; init; }
    public IPAddress? PreferredSource { get; init; }
    public int? Priority { get; init; }
    public int? Mtu { get; init; }
    public int? AdvMss { get; init; }
    /// <summary>Null means: link scope without a gateway, universe with one.</summary>
    public byte? Scope { get; init; }
    public int Table { get; init; } = 254;
    public byte Protocol { get; init; } = 4; // RTPROT_STATIC
    public bool IsDefault => Dst.PrefixLength == 0;
}

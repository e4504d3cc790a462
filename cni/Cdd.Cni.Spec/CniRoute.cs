using System.Net;
using Cdd.Net;

namespace Cdd.Cni.Spec;

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

using System.Net;
using Cdd.Net;

namespace Cdd.Cni.Spec;

public sealed class CniIpConfig
{
    /// <summary>Address with prefix length, e.g. 10.1.0.5/24.</summary>
    public required IpPrefix Address { get; init; }
    public IPAddress? Gateway { get; set; }
    /// <summary>Index into <see cref="CniResult.Interfaces"/>.</summary>
    public int? Interface { get; set; }
}

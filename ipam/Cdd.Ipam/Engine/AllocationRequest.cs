using System.Net;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>One attachment asking for an address.</summary>
public sealed record AllocationRequest
{
    public required IpPool Pool { get; init; }
    public required NodeView Node { get; init; }
    public required Owner Owner { get; init; }
    /// <summary>Set for a StatefulSet member or an annotated pod: the address is bound to it for life.</summary>
    public FixedIdentity? Fixed { get; init; }
    /// <summary>runtimeConfig.ips or the pod annotation: only this address will do.</summary>
    public IPAddress? Requested { get; init; }
}

using System.Net;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>
/// One attachment asking for an address, or (no <see cref="Owner"/>) a fixed identity bound ahead of its first pod.
/// </summary>
public sealed record AllocationRequest
{
    public required IpPool Pool { get; init; }
    public required NodeView Node { get; init; }
    /// <summary>
    /// The attachment. Null only with <see cref="Fixed"/>: the identity is bound to an address before any pod holds it
    /// (cdd-operator binds each member so its address is known when the pod is made); the pod's ADD then takes it.
    /// </summary>
    public required Owner? Owner { get; init; }
    /// <summary>Set for a StatefulSet member or an annotated pod: the address is bound to it for life.</summary>
    public FixedIdentity? Fixed { get; init; }
    /// <summary>runtimeConfig.ips or the pod annotation: only this address will do.</summary>
    public IPAddress? Requested { get; init; }
}

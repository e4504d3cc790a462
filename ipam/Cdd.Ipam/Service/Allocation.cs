using Cdd.Ipam.Model;

namespace Cdd.Ipam.Service;

/// <summary>An address held by an attachment, with the segment it came from (gateway, routes, VLAN).</summary>
public sealed record Allocation(Reservation Reservation, Segment Segment, int Conflicts);

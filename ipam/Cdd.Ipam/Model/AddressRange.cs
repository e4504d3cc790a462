using System.Net;

namespace Cdd.Ipam.Model;

/// <summary>An inclusive span of addresses inside a segment's subnet.</summary>
public sealed record AddressRange(IPAddress Start, IPAddress End);

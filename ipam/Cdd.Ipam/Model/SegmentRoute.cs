using System.Net;
using Cdd.Net;

namespace Cdd.Ipam.Model;

/// <summary>A route handed to pods of a segment; no gateway means the segment's gateway.</summary>
public sealed record SegmentRoute(IpPrefix Dst, IPAddress? Gw);

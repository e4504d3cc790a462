using System.Net;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

public sealed record Candidate(Segment Segment, IPAddress Address);

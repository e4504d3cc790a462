using System.Net;
using System.Net.Sockets;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Addressing;

/// <summary>
/// The allocatable addresses of one segment: its ranges (or the whole subnet) without the network address, the IPv4
/// broadcast, the gateway and the excludes. Enumerated lazily, because an IPv6 /64 cannot be listed.
/// </summary>
public sealed class SegmentAddresses
{
    readonly Segment _segment;
    readonly AddressFamily _family;
    readonly (UInt128 First, UInt128 Last) _subnet;
    readonly List<(UInt128 First, UInt128 Last)> _spans;
    readonly List<(UInt128 First, UInt128 Last)> _excluded;
    readonly UInt128? _gateway;

    public SegmentAddresses(Segment segment)
    {
        _segment = segment;
        _family = segment.Subnet.Family;
        _subnet = IpMath.Bounds(segment.Subnet);
        _spans = segment.Ranges.Count == 0
            ? [_subnet]
            : [.. segment.Ranges.Select(r => (IpMath.ToNumber(r.Start), IpMath.ToNumber(r.End))).OrderBy(s => s.Item1)];
        _excluded = [.. segment.Exclude.Select(IpMath.Bounds)];
        _gateway = segment.Gateway is null ? null : IpMath.ToNumber(segment.Gateway);
    }

    public Segment Segment => _segment;

    public bool IsAllocatable(IPAddress address)
    {
        if (address.AddressFamily != _family) return false;
        return IsAllocatable(IpMath.ToNumber(address));
    }

    /// <summary>
    /// Every allocatable address once, starting just after <paramref name="cursor"/> and wrapping around, so the
    /// address freed last is handed out again as late as possible (a peer's ARP cache may still point at it).
    /// </summary>
    public IEnumerable<IPAddress> From(IPAddress? cursor)
    {
        UInt128? after = cursor is not null && cursor.AddressFamily == _family ? IpMath.ToNumber(cursor) : null;
        foreach (var n in Walk(after))
            yield return IpMath.FromNumber(n, _family);
    }

    /// <summary>How many addresses the segment can hand out, capped (an IPv6 segment can hold more than any count).</summary>
    public ulong Count(ulong cap = ulong.MaxValue)
    {
        ulong n = 0;
        foreach (var _ in Walk(null))
            if (++n >= cap) break;
        return n;
    }

    IEnumerable<UInt128> Walk(UInt128? cursor)
    {
        // Pass 1: everything after the cursor; pass 2: from the beginning up to and including the cursor.
        foreach (var (first, last) in _spans)
        {
            if (cursor is { } c && last <= c) continue;
            UInt128 from = cursor is { } c2 && first <= c2 ? c2 + 1 : first;
            foreach (var n in Span(from, last)) yield return n;
        }
        if (cursor is not { } cut) yield break;
        foreach (var (first, last) in _spans)
        {
            if (first > cut) break;
            foreach (var n in Span(first, last < cut ? last : cut)) yield return n;
        }
    }

    IEnumerable<UInt128> Span(UInt128 from, UInt128 to)
    {
        UInt128 n = from;
        while (true)
        {
            // Jump over an excluded block instead of stepping through it: an excluded /80 of a /64 is 2^48 steps.
            if (ExcludedUpTo(n) is { } end)
            {
                if (end >= to) yield break;
                n = end + 1;
                continue;
            }
            if (IsHost(n)) yield return n;
            if (n == to) yield break;
            n++;
        }
    }

    bool IsAllocatable(UInt128 n) =>
        n >= _subnet.First && n <= _subnet.Last && _spans.Any(s => n >= s.First && n <= s.Last) && ExcludedUpTo(n) is null && IsHost(n);

    bool IsHost(UInt128 n)
    {
        bool v4 = _family == AddressFamily.InterNetwork;
        // The network address (IPv6: the subnet-router anycast) and the IPv4 broadcast; a /31 has neither (RFC 3021).
        bool tiny = _subnet.Last - _subnet.First < (v4 ? 2u : 1u);
        if (!tiny && n == _subnet.First) return false;
        if (v4 && !tiny && n == _subnet.Last) return false;
        return _gateway != n;
    }

    UInt128? ExcludedUpTo(UInt128 n)
    {
        foreach (var (first, last) in _excluded)
            if (n >= first && n <= last) return last;
        return null;
    }
}

using System.Net;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>
/// The pure allocation engine: from a request and a snapshot, which address should this attachment get. No I/O, no
/// clock, no randomness, so every decision is reproducible in a test.
/// </summary>
public static class Allocator
{
    public static AllocationPlan Plan(AllocationRequest req, PoolSnapshot snapshot)
    {
        var pool = req.Pool;
        if (req.Owner is null && req.Fixed is null)
            throw new ArgumentException("an allocation without an owner must name the fixed identity it binds", nameof(req));
        var mine = req.Owner is not { } me ? null
            : snapshot.Reservations.FirstOrDefault(r => r.Pool == pool.Name && r.Owner is { } o && o.IsAttachment(me.ContainerId, me.IfName));
        if (mine is not null) return new AllocationPlan { Existing = mine };

        if (req.Fixed is { } identity && snapshot.Reservations.FirstOrDefault(r => r.Pool == pool.Name && r.Fixed == identity) is { } bound)
            return new AllocationPlan { Existing = CheckBinding(req, identity, bound) };

        var taken = new Dictionary<IPAddress, Reservation>();
        foreach (var r in snapshot.Reservations)
            if (r.Pool == pool.Name) taken[r.Address] = r;
        if (req.Requested is { } wanted)
            return new AllocationPlan { Candidates = [RequestedCandidate(req, wanted, taken)], IsRequested = true };

        var segments = SegmentsFor(req.Node, pool);
        if (segments.Count == 0)
            throw new IpamException(IpamErrorKind.SegmentUnreachable,
                $"pool {pool.Name}: node {req.Node.Name} reaches none of its segments (no nodeSelector matches and its trunk tags none of their VLANs)");
        return new AllocationPlan { Candidates = Walk(segments, snapshot, taken) };
    }

    /// <summary>The node's untagged segments in pool order, then the ones its trunk can tag.</summary>
    public static IReadOnlyList<Segment> SegmentsFor(NodeView node, IpPool pool) =>
    [
        .. pool.Segments.Where(s => Reachability.Of(node, s) == Reach.Untagged),
        .. pool.Segments.Where(s => Reachability.Of(node, s) == Reach.Tagged),
    ];

    static IEnumerable<Candidate> Walk(IReadOnlyList<Segment> segments, PoolSnapshot snapshot, Dictionary<IPAddress, Reservation> taken)
    {
        foreach (var segment in segments)
        {
            snapshot.Cursors.TryGetValue(segment.Name, out var cursor);
            foreach (var address in new SegmentAddresses(segment).From(cursor))
                if (!taken.ContainsKey(address)) yield return new Candidate(segment, address);
        }
    }

    static Reservation CheckBinding(AllocationRequest req, FixedIdentity identity, Reservation bound)
    {
        var segment = req.Pool.FindSegment(bound.Segment)
            ?? throw new IpamException(IpamErrorKind.SegmentUnreachable,
                $"pool {req.Pool.Name}: {identity} is bound to {bound.Address} in segment \"{bound.Segment}\", which the pool no longer has");
        if (Reachability.Of(req.Node, segment) == Reach.None)
            throw new IpamException(IpamErrorKind.SegmentUnreachable,
                $"pool {req.Pool.Name}: {identity} is bound to {bound.Address} in segment \"{segment.Name}\" (vlan {segment.Vlan}), which node {req.Node.Name} does not reach");
        if (req.Requested is { } wanted && !wanted.Equals(bound.Address))
            throw new IpamException(IpamErrorKind.AddressTaken,
                $"pool {req.Pool.Name}: {identity} is bound to {bound.Address}; it cannot also be given the requested {wanted}");
        return bound;
    }

    static Candidate RequestedCandidate(AllocationRequest req, IPAddress wanted, Dictionary<IPAddress, Reservation> taken)
    {
        var pool = req.Pool;
        var segment = pool.SegmentOf(wanted)
            ?? throw new IpamException(IpamErrorKind.AddressNotInPool, $"pool {pool.Name}: requested address {wanted} is in none of its segments");
        if (!new SegmentAddresses(segment).IsAllocatable(wanted))
            throw new IpamException(IpamErrorKind.AddressNotInPool,
                $"pool {pool.Name}: requested address {wanted} is not allocatable in segment \"{segment.Name}\" (outside its ranges, or its network, broadcast, gateway or an exclude)");
        if (Reachability.Of(req.Node, segment) == Reach.None)
            throw new IpamException(IpamErrorKind.SegmentUnreachable,
                $"pool {pool.Name}: requested address {wanted} is in segment \"{segment.Name}\" (vlan {segment.Vlan}), which node {req.Node.Name} does not reach");
        if (taken.TryGetValue(wanted, out var holder))
            throw new IpamException(IpamErrorKind.AddressTaken,
                $"pool {pool.Name}: requested address {wanted} is held by {holder.Owner?.ToString() ?? $"the fixed binding of {holder.Fixed}"}");
        return new Candidate(segment, wanted);
    }
}

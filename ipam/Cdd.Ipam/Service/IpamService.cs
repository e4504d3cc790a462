using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Service;

/// <summary>
/// Runs the engine against a store: plan from a snapshot, claim candidates in order, and on "taken" move on to the next
/// one (another node won it since the snapshot). Only a round that saw no conflict may call the pool exhausted.
/// </summary>
public sealed class IpamService(IReservationStore store, int maxRounds = 8)
{
    public async Task<Allocation> AllocateAsync(AllocationRequest req, CancellationToken ct = default)
    {
        int conflicts = 0;
        bool fresh = false;
        for (int round = 0; round < maxRounds; round++)
        {
            var snapshot = await store.SnapshotAsync(req.Pool.Name, fresh, ct);
            // A fixed identity must see its binding, wherever it is (a cache may not hold it, or lag behind it).
            // The snapshot's own copy wins when it has one: it holds this store's writes the moment they land.
            if (req.Fixed is { } identity && await store.FindFixedAsync(req.Pool.Name, identity, ct) is { } bound
                && !snapshot.Reservations.Any(r => r.Name == bound.Name))
                snapshot = snapshot with { Reservations = [.. snapshot.Reservations, bound] };
            var plan = Allocator.Plan(req, snapshot);

            if (plan.Existing is { } existing)
            {
                var segment = req.Pool.FindSegment(existing.Segment)!;
                if (existing.Owner == req.Owner && existing.Node == req.Node.Name) return new Allocation(existing, segment, conflicts);
                // Binding ahead of the pod: the identity already has its address (maybe held by its pod right now).
                if (req.Owner is null) return new Allocation(existing, segment, conflicts);
                // A fixed identity's pod landed again (maybe on another node): the binding moves to it.
                var moved = await store.TryReplaceAsync(existing, existing with { Owner = req.Owner, Node = req.Node.Name }, ct);
                if (moved is not null) return new Allocation(moved, segment, conflicts);
                conflicts++;
                continue;
            }

            bool lost = false;
            foreach (var candidate in plan.Candidates)
            {
                var reservation = new Reservation
                {
                    Pool = req.Pool.Name,
                    Segment = candidate.Segment.Name,
                    Address = candidate.Address,
                    Vlan = candidate.Segment.Vlan,
                    Owner = req.Owner,
                    Fixed = req.Fixed,
                    Node = req.Node.Name,
                };
                var claimed = await store.TryClaimAsync(reservation, ct);
                if (claimed is not null)
                {
                    await store.SetCursorAsync(req.Pool.Name, candidate.Segment.Name, candidate.Address, ct);
                    return new Allocation(claimed, candidate.Segment, conflicts);
                }
                conflicts++;
                lost = true;
                if (plan.IsRequested)
                    throw new IpamException(IpamErrorKind.AddressTaken, $"pool {req.Pool.Name}: requested address {candidate.Address} was just taken by another attachment");
            }
            // A cache may still list addresses freed since; only a fresh read that offers nothing means exhausted.
            if (!lost && !fresh)
            {
                fresh = true;
                continue;
            }
            if (!lost)
                throw new IpamException(IpamErrorKind.PoolExhausted,
                    $"pool {req.Pool.Name} is exhausted: every address of the segments node {req.Node.Name} reaches ({string.Join(", ", Allocator.SegmentsFor(req.Node, req.Pool).Select(s => s.Name))}) is reserved");
        }
        throw new IpamException(IpamErrorKind.Contended, $"pool {req.Pool.Name}: other writers won every one of {maxRounds} rounds ({conflicts} conflicts)");
    }

    /// <summary>
    /// DEL: frees what this attachment holds. A fixed binding is kept for its identity, only its owner is cleared.
    /// Returns exactly the reservations this call released or detached.
    /// </summary>
    public async Task<IReadOnlyList<Reservation>> ReleaseAsync(string pool, string containerId, string ifName, CancellationToken ct = default) =>
        await ReleaseWhereAsync(pool, r => r.Owner is { } o && o.IsAttachment(containerId, ifName), ct, cacheFirst: true);

    /// <summary>
    /// GC: frees every reservation of <paramref name="network"/> on <paramref name="node"/> whose attachment the
    /// runtime no longer lists as valid. Another network's attachments are not in the runtime's list, so they are left alone.
    /// </summary>
    public async Task<IReadOnlyList<Reservation>> CollectAsync(string pool, string node, string network, IReadOnlySet<(string ContainerId, string IfName)> valid, CancellationToken ct = default) =>
        await ReleaseWhereAsync(pool, r => r.Node == node && r.Owner is { } o && o.Network == network && !valid.Contains((o.ContainerId, o.IfName)), ct);

    /// <param name="cacheFirst">
    /// DEL: one attachment's reservations, which this node's own cache shows as soon as it claimed them: what a cache
    /// shows is released (version-checked). GC judges every attachment of the node, so it trusts only a settled cache.
    /// </param>
    async Task<IReadOnlyList<Reservation>> ReleaseWhereAsync(string pool, Func<Reservation, bool> which, CancellationToken ct, bool cacheFirst = false)
    {
        var released = new List<Reservation>();
        // The first round reads the cache. A settled one (every write of this store is in it) is the truth for this
        // node's attachments. Otherwise a cache that shows the attachment may be trusted for a DEL: every release is
        // version-checked, so a stale copy is refused and sends us to a fresh read. An unsettled cache that shows
        // nothing proves nothing (it may lag behind the claim), so then, and in every later round, the store is read
        // fresh: a DEL that misses it leaks the address.
        bool fresh = false;
        for (int round = 0; round < maxRounds; round++)
        {
            var snapshot = await store.SnapshotAsync(pool, fresh, ct);
            var targets = snapshot.Reservations.Where(r => r.Pool == pool && which(r)).ToList();
            if (!fresh && !snapshot.Settled && (targets.Count == 0 || !cacheFirst))
            {
                fresh = true;
                round--;
                continue;
            }
            fresh = true;
            bool raced = false;
            foreach (var r in targets)
            {
                bool done = r.Fixed is not null
                    ? await store.TryReplaceAsync(r, r with { Owner = null }, ct) is not null
                    : await store.TryReleaseAsync(r, ct);
                if (done) released.Add(r);
                else raced = true;
            }
            // Lost a race: re-read, the reservation may now belong to someone else (then it is not ours to free).
            if (!raced) return released;
        }
        throw new IpamException(IpamErrorKind.Contended, $"pool {pool}: could not release after {maxRounds} rounds of conflicting writes");
    }
}

using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Store;

/// <summary>
/// Where reservations live: an embedded file store or the Kubernetes API. Claiming is creating the object whose name
/// derives from pool and address, so at most one writer wins it; replace and release carry the version the caller
/// read, so a writer acting on a stale copy (a DEL from a dead container) changes nothing.
/// Failures to reach the store are <see cref="StoreUnavailableException"/> and leave nothing behind.
/// </summary>
public interface IReservationStore
{
    /// <summary>
    /// The pool's reservations. A cache may answer unless <paramref name="fresh"/>: a fixed identity must see its
    /// binding, or it would claim a second address (StatefulSet semantics keep two pods of one identity from racing,
    /// so a fresh read is all it takes).
    /// </summary>
    Task<PoolSnapshot> SnapshotAsync(string pool, bool fresh, CancellationToken ct);

    /// <summary>
    /// The reservation bound to <paramref name="identity"/>, wherever in the pool it is, or null. A store whose snapshots
    /// cover only part of the pool answers this by itself (by the identity, not by reading the whole pool).
    /// </summary>
    async Task<Reservation?> FindFixedAsync(string pool, FixedIdentity identity, CancellationToken ct) =>
        (await SnapshotAsync(pool, fresh: true, ct)).Reservations.FirstOrDefault(r => r.Pool == pool && r.Fixed == identity);

    /// <summary>The stored reservation (with its version), or null when the address is already taken.</summary>
    Task<Reservation?> TryClaimAsync(Reservation reservation, CancellationToken ct);

    /// <summary>Replaces <paramref name="current"/> if it is still the stored version; null when it is not (or is gone).</summary>
    Task<Reservation?> TryReplaceAsync(Reservation current, Reservation replacement, CancellationToken ct);

    /// <summary>Deletes <paramref name="current"/> if it is still the stored version; false when it is not (or is gone).</summary>
    Task<bool> TryReleaseAsync(Reservation current, CancellationToken ct);

    /// <summary>Remembers the address handed out last in a segment, where the next walk starts.</summary>
    Task SetCursorAsync(string pool, string segment, IPAddress address, CancellationToken ct);
}

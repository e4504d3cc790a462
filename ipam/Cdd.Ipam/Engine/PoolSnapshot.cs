using System.Net;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>
/// What a store (or a watch cache) knew about a pool at one moment. It may be stale: the engine only proposes,
/// the store's atomic claim decides.
/// </summary>
public sealed record PoolSnapshot(IReadOnlyList<Reservation> Reservations, IReadOnlyDictionary<string, IPAddress> Cursors)
{
    /// <summary>
    /// The snapshot holds every write this store made and none of them has an unknown outcome: an attachment of this
    /// node that it does not show holds nothing (only this node's agent claims for its attachments), so a DEL, CHECK or
    /// GC needs no fresh read to be sure. False for a cache that may lag behind a claim whose answer was lost.
    /// </summary>
    public bool Settled { get; init; }

    public static PoolSnapshot Empty { get; } = new([], new Dictionary<string, IPAddress>());
}

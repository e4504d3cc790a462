using System.Net;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>
/// What a store (or a watch cache) knew about a pool at one moment. It may be stale: the engine only proposes,
/// the store's atomic claim decides.
/// </summary>
public sealed record PoolSnapshot(IReadOnlyList<Reservation> Reservations, IReadOnlyDictionary<string, IPAddress> Cursors)
{
    public static PoolSnapshot Empty { get; } = new([], new Dictionary<string, IPAddress>());
}

using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Tests.Service;

/// <summary>
/// One node agent's view of the truth: snapshots come from a cache that is refreshed only now and then (like a watch
/// that lags), writes go to the truth. A lost write refreshes the cache, as an agent does on a 409.
/// </summary>
internal sealed class LaggingView(MemoryStore truth, Random rng, double refreshChance) : IReservationStore
{
    PoolSnapshot? _cache;

    public int LostWrites { get; private set; }

    public async Task<PoolSnapshot> SnapshotAsync(string pool, bool fresh, CancellationToken ct)
    {
        if (fresh || _cache is null || rng.NextDouble() < refreshChance) _cache = await truth.SnapshotAsync(pool, true, ct);
        return _cache;
    }

    public async Task<Reservation?> TryClaimAsync(Reservation reservation, CancellationToken ct) =>
        Lost(await truth.TryClaimAsync(reservation, ct));

    public async Task<Reservation?> TryReplaceAsync(Reservation current, Reservation next, CancellationToken ct) =>
        Lost(await truth.TryReplaceAsync(current, next, ct));

    public async Task<bool> TryReleaseAsync(Reservation current, CancellationToken ct) =>
        Lost(await truth.TryReleaseAsync(current, ct) ? current : null) is not null;

    public Task SetCursorAsync(string pool, string segment, IPAddress address, CancellationToken ct) => truth.SetCursorAsync(pool, segment, address, ct);

    T? Lost<T>(T? outcome) where T : class
    {
        if (outcome is null)
        {
            LostWrites++;
            _cache = null;
        }
        return outcome;
    }
}

using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;

namespace Cdd.Ipam.Tests.Service;

/// <summary>The truth for engine tests: a dictionary keyed by reservation name with versions, as strict as the API server.</summary>
internal sealed class MemoryStore : IReservationStore
{
    readonly Lock _lock = new();
    readonly Dictionary<string, Reservation> _items = [];
    readonly Dictionary<(string, string), IPAddress> _cursors = [];
    long _version;

    public int Claims { get; private set; }

    public IReadOnlyList<Reservation> All
    {
        get { lock (_lock) return [.. _items.Values]; }
    }

    public Task<PoolSnapshot> SnapshotAsync(string pool, bool fresh, CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult(new PoolSnapshot(
                [.. _items.Values.Where(r => r.Pool == pool)],
                _cursors.Where(kv => kv.Key.Item1 == pool).ToDictionary(kv => kv.Key.Item2, kv => kv.Value)));
    }

    public Task<Reservation?> TryClaimAsync(Reservation reservation, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_items.ContainsKey(reservation.Name)) return Task.FromResult<Reservation?>(null);
            var stored = reservation with { Version = (++_version).ToString() };
            _items[stored.Name] = stored;
            Claims++;
            return Task.FromResult<Reservation?>(stored);
        }
    }

    public Task<Reservation?> TryReplaceAsync(Reservation current, Reservation next, CancellationToken ct)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(current.Name, out var now) || now.Version != current.Version) return Task.FromResult<Reservation?>(null);
            var stored = next with { Version = (++_version).ToString() };
            _items[stored.Name] = stored;
            return Task.FromResult<Reservation?>(stored);
        }
    }

    public Task<bool> TryReleaseAsync(Reservation current, CancellationToken ct)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(current.Name, out var now) || now.Version != current.Version) return Task.FromResult(false);
            return Task.FromResult(_items.Remove(current.Name));
        }
    }

    public Task SetCursorAsync(string pool, string segment, IPAddress address, CancellationToken ct)
    {
        lock (_lock) _cursors[(pool, segment)] = address;
        return Task.CompletedTask;
    }
}

using System.Collections.Concurrent;
using System.Net;
using Cdd.Ipam.Config;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Kube.Watch;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using k8s;

namespace Cdd.Ipam.Kube.Store;

/// <summary>
/// Reservations as IPReservation objects. Claim is a create (409: the name exists, so the address is taken), replace
/// is an update carrying the uid and resourceVersion read, release is a delete with both as preconditions: a writer
/// acting on a stale copy (a DEL from a dead container) is refused by the API server itself.
/// A request that fails with a 5xx, a timeout or a lost connection may still have been applied; the store then reads
/// the object back and decides from what is stored, so a claim whose answer was lost is found again, not leaked.
/// Snapshots come from a watch cache per pool unless fresh; after a write whose outcome stayed unknown, the next
/// snapshot of that pool is a fresh LIST. The round-robin cursor lives in memory, per store.
/// </summary>
public sealed class KubeReservationStore : IReservationStore, IAsyncDisposable
{
    readonly ReservationApi _api;
    readonly KubeStoreOptions _options;
    readonly ConcurrentDictionary<string, ListWatchCache<IpReservationObject, Reservation>> _caches = new();
    readonly ConcurrentDictionary<(string Pool, string Segment), IPAddress> _cursors = new();
    readonly ConcurrentDictionary<string, long> _suspect = new();
    readonly ConcurrentDictionary<string, byte> _claiming = new();
    long _suspectEpoch;

    public KubeReservationStore(IKubernetes client, KubeStoreOptions? options = null)
    {
        _api = new ReservationApi(client);
        _options = options ?? new KubeStoreOptions();
        if (_options.Attempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "Attempts must be at least 1");
    }

    public KubeStoreStats Stats { get; } = new();

    /// <summary>Objects that did not validate (a hand-edited or foreign IPReservation), for the agent's log.</summary>
    public event Action<string>? InvalidObject;

    public async Task<PoolSnapshot> SnapshotAsync(string pool, bool fresh, CancellationToken ct)
    {
        CheckPool(pool);
        var scope = Scope(pool);
        if (!fresh && !_suspect.ContainsKey(pool))
        {
            var caches = scope is null ? [CacheFor(pool, null)] : scope.Select(s => CacheFor(pool, s)).ToList();
            bool synced = true;
            foreach (var c in caches) synced = synced && (c.IsSynced || await Warm(c, ct));
            if (synced)
            {
                var values = caches.Count == 1 ? caches[0].Values : [.. caches.SelectMany(c => c.Values)];
                // Settled only for a node agent's store (scoped to its node's segments): only it claims for its node's
                // attachments, so what its cache lacks, no one claimed for them (a whole-pool store may serve anyone's DEL).
                return new PoolSnapshot(values, Cursors(pool)) { Settled = scope is not null && !_suspect.ContainsKey(pool) };
            }
        }
        _suspect.TryGetValue(pool, out long epoch);
        var reservations = new List<Reservation>();
        foreach (string? segment in scope is null ? [null] : scope.Select(s => (string?)s))
        {
            var items = await Retrier.RunAsync($"pool {pool}: list reservations", _options, async t =>
            {
                using var res = await _api.ListAsync(pool, null, watch: false, t, SegmentSelector(segment));
                return res.Body?.Items ?? [];
            }, ct, Stats);
            Interlocked.Increment(ref Stats._freshLists);
            foreach (var o in items)
                if (o is not null && Decode(o, pool) is { } r) reservations.Add(r);
        }
        _suspect.TryRemove(KeyValuePair.Create(pool, epoch));
        return new PoolSnapshot(reservations, Cursors(pool)) { Settled = true };
    }

    /// <summary>
    /// Scoped to segments: by the binding's label, from the API server's watch cache (resourceVersion 0: no quorum
    /// read, and the cost does not grow with the pool). Whole pool: the binding in a fresh read of the pool.
    /// </summary>
    public async Task<Reservation?> FindFixedAsync(string pool, FixedIdentity identity, CancellationToken ct)
    {
        CheckPool(pool);
        if (Scope(pool) is null)
            return (await SnapshotAsync(pool, fresh: true, ct)).Reservations.FirstOrDefault(r => r.Pool == pool && r.Fixed == identity);
        var items = await Retrier.RunAsync($"pool {pool}: find the binding of {identity}", _options, async t =>
        {
            using var res = await _api.ListAsync(pool, "0", watch: false, t, $"{CddResources.FixedLabel}={ReservationCodec.FixedLabelOf(identity)}");
            return res.Body?.Items ?? [];
        }, ct, Stats);
        Interlocked.Increment(ref Stats._bindingLookups);
        return items.Where(o => o is not null).Select(o => Decode(o, pool)).FirstOrDefault(r => r is not null && r.Fixed == identity);
    }

    /// <summary>How many reservations a segment holds, from the API server's cache (resourceVersion 0, no quorum read).</summary>
    public async Task<long> CountAsync(string pool, string segment, CancellationToken ct)
    {
        CheckPool(pool);
        return await Retrier.RunAsync($"pool {pool}: count segment {segment}", _options, async t =>
        {
            using var res = await _api.ListAsync(pool, "0", watch: false, t, SegmentSelector(segment));
            return (long)(res.Body?.Items?.Count ?? 0);
        }, ct, Stats);
    }

    public async Task<Reservation?> TryClaimAsync(Reservation reservation, CancellationToken ct)
    {
        CheckPool(reservation.Pool);
        Interlocked.Increment(ref Stats._claims);
        // The cache is not asked whether the address is held: it may lag behind a release that a fresh snapshot
        // already shows (another agent's DEL), and refusing from it would lose every round until its watch catches up.
        // A sibling ADD on this node is claiming the same address right now: one of the two would get a 409 anyway.
        if (!_claiming.TryAdd(reservation.Name, 0))
        {
            Interlocked.Increment(ref Stats._siblings);
            return null;
        }
        try
        {
            return await ClaimAsync(reservation, ct);
        }
        finally
        {
            _claiming.TryRemove(reservation.Name, out _);
        }
    }

    async Task<Reservation?> ClaimAsync(Reservation reservation, CancellationToken ct)
    {
        var body = ReservationCodec.Encode(reservation, _options.GatewayOf?.Invoke(reservation.Pool, reservation.Segment));
        string what = $"pool {reservation.Pool}: claim {reservation.Address}";
        var delay = _options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                // Sent whole even when the caller gives up meanwhile (the client's own timeout still bounds it): its
                // outcome is then known and cached, so whoever gives the claim back finds it.
                ct.ThrowIfCancellationRequested();
                var created = await _api.CreateAsync(body, CancellationToken.None);
                Cached(reservation.Pool, reservation.Segment)?.Upsert(created);
                return Decode(created, reservation.Pool);
            }
            catch (Exception e) when (ApiFailure.IsConflict(e) || ApiFailure.IsTransient(e, CancellationToken.None))
            {
                failure = e;
            }
            // 409: the name exists; whose is it? A 5xx or a lost answer may hide our own create: read it back.
            var (known, now) = await ReadBack(reservation.Pool, reservation.Name, ct);
            if (known && now is not null)
            {
                Cached(reservation.Pool, reservation.Segment)?.Upsert(now);
                var held = Decode(now, reservation.Pool);
                if (held is not null && Same(held, reservation))
                {
                    Interlocked.Increment(ref Stats._lostReplies);
                    return held;
                }
                Interlocked.Increment(ref Stats._taken);
                return null;
            }
            // Nothing by that name (the create never landed), or we could not even read: try the create again.
            delay = await Pause(what, failure, attempt, delay, ct);
        }
    }

    public async Task<Reservation?> TryReplaceAsync(Reservation current, Reservation replacement, CancellationToken ct)
    {
        CheckPool(current.Pool);
        if (current.Name != replacement.Name) throw new ArgumentException($"a replace keeps the address: {current.Address} cannot become {replacement.Address}", nameof(replacement));
        if (!ReservationCodec.TryParseVersion(current.Version, out string uid, out string rv)) return null;
        var body = ReservationCodec.Encode(replacement, _options.GatewayOf?.Invoke(replacement.Pool, replacement.Segment));
        body.Metadata.Uid = uid;
        body.Metadata.ResourceVersion = rv;
        string token = Guid.NewGuid().ToString("N");
        body.Metadata.Annotations = new Dictionary<string, string> { [CddResources.WriteTokenAnnotation] = token };
        string what = $"pool {current.Pool}: update {current.Address}";
        var delay = _options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                ct.ThrowIfCancellationRequested();
                var stored = await _api.ReplaceAsync(body, CancellationToken.None);
                Cached(current.Pool, current.Segment)?.Upsert(stored);
                return Decode(stored, current.Pool);
            }
            catch (Exception e) when (ApiFailure.IsNotFound(e))
            {
                Cached(current.Pool, current.Segment)?.Remove(current.Name, rv);
                return null;
            }
            catch (Exception e) when (ApiFailure.IsConflict(e) || ApiFailure.IsTransient(e, CancellationToken.None))
            {
                failure = e;
            }
            var (known, now) = await ReadBack(current.Pool, current.Name, ct);
            if (known)
            {
                if (now is null) return null;
                Cached(current.Pool, current.Segment)?.Upsert(now);
                bool unchanged = now.Metadata.Uid == uid && now.Metadata.ResourceVersion == rv;
                if (!unchanged)
                {
                    // A 409 was never applied. After a lost answer, only our token says the stored version is our
                    // write: someone else may have left the same spec (another DEL detaching the same binding).
                    if (!ApiFailure.IsConflict(failure) && now.Metadata.Uid == uid
                        && now.Metadata.Annotations is { } notes && notes.TryGetValue(CddResources.WriteTokenAnnotation, out var written) && written == token)
                    {
                        Interlocked.Increment(ref Stats._lostReplies);
                        return Decode(now, current.Pool);
                    }
                    return null;
                }
            }
            // Still the version we hold: the refusal was not about it (or we could not read). Try again.
            delay = await Pause(what, failure, attempt, delay, ct);
        }
    }

    public async Task<bool> TryReleaseAsync(Reservation current, CancellationToken ct)
    {
        CheckPool(current.Pool);
        if (!ReservationCodec.TryParseVersion(current.Version, out string uid, out string rv)) return false;
        string what = $"pool {current.Pool}: release {current.Address}";
        var delay = _options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                ct.ThrowIfCancellationRequested();
                var gone = await _api.DeleteAsync(current.Name, uid, rv, CancellationToken.None);
                Cached(current.Pool, current.Segment)?.Remove(current.Name, gone?.Metadata?.ResourceVersion ?? rv);
                return true;
            }
            catch (Exception e) when (ApiFailure.IsNotFound(e))
            {
                return false;
            }
            catch (Exception e) when (ApiFailure.IsConflict(e) || ApiFailure.IsTransient(e, CancellationToken.None))
            {
                failure = e;
            }
            var (known, now) = await ReadBack(current.Pool, current.Name, ct);
            if (known)
            {
                if (now is null)
                {
                    // Gone. After a lost answer that is our delete having landed; after a 409 someone else's.
                    if (ApiFailure.IsConflict(failure)) return false;
                    Cached(current.Pool, current.Segment)?.Remove(current.Name, rv);
                    Interlocked.Increment(ref Stats._lostReplies);
                    return true;
                }
                Cached(current.Pool, current.Segment)?.Upsert(now);
                if (now.Metadata.Uid != uid || now.Metadata.ResourceVersion != rv) return false;
            }
            delay = await Pause(what, failure, attempt, delay, ct);
        }
    }

    public Task SetCursorAsync(string pool, string segment, IPAddress address, CancellationToken ct)
    {
        _cursors[(pool, segment)] = address;
        return Task.CompletedTask;
    }

    /// <summary>Starts the watch cache of a pool now rather than at its first snapshot, and waits for its first LIST.</summary>
    public Task WarmAsync(string pool, CancellationToken ct)
    {
        CheckPool(pool);
        return Scope(pool) is { } scope
            ? Task.WhenAll(scope.Select(s => CacheFor(pool, s).Synced.WaitAsync(ct)))
            : CacheFor(pool, null).Synced.WaitAsync(ct);
    }

    /// <summary>(true, object or null when it does not exist) when the server answered; (false, null) when it did not.</summary>
    async Task<(bool Known, IpReservationObject? Now)> ReadBack(string pool, string name, CancellationToken ct)
    {
        try
        {
            return (true, await _api.GetAsync(name, ct));
        }
        catch (Exception e) when (ApiFailure.IsTransient(e, ct))
        {
            // The outcome of our write stays unknown: whatever snapshot comes next must come from the server itself.
            _suspect[pool] = Interlocked.Increment(ref _suspectEpoch);
            return (false, null);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up before the outcome was known: the same.
            _suspect[pool] = Interlocked.Increment(ref _suspectEpoch);
            throw;
        }
    }

    Task<TimeSpan> Pause(string what, Exception failure, int attempt, TimeSpan delay, CancellationToken ct) =>
        Retrier.PauseAsync(what, failure, attempt, delay, _options, ct, Stats);

    /// <summary>The segments this store watches in the pool, or null for the whole pool.</summary>
    IReadOnlyCollection<string>? Scope(string pool) => _options.SegmentsOf?.Invoke(pool);

    static string? SegmentSelector(string? segment) => segment is null ? null : $"{CddResources.SegmentLabel}={segment}";

    /// <summary>The watch cache of a pool (segment null) or of one of its segments.</summary>
    ListWatchCache<IpReservationObject, Reservation> CacheFor(string pool, string? segment) =>
        _caches.GetOrAdd(segment is null ? pool : $"{pool}/{segment}", _ =>
        {
            string? more = SegmentSelector(segment);
            var cache = new ListWatchCache<IpReservationObject, Reservation>(
                (rv, watch, ct) => _api.ListAsync(pool, rv, watch, ct, more), o => Decode(o, pool), _options.WatchRetryDelay);
            cache.Start();
            return cache;
        });

    /// <summary>The cache that holds (or would hold) a reservation of this segment, if it runs.</summary>
    ListWatchCache<IpReservationObject, Reservation>? Cached(string pool, string segment) =>
        _caches.GetValueOrDefault($"{pool}/{segment}") ?? _caches.GetValueOrDefault(pool);

    async Task<bool> Warm(ListWatchCache<IpReservationObject, Reservation> cache, CancellationToken ct)
    {
        try
        {
            await cache.Synced.WaitAsync(_options.CacheWarmup, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    Reservation? Decode(IpReservationObject o, string pool)
    {
        var r = ReservationCodec.Decode(o, pool, out string? problem);
        if (problem is not null) InvalidObject?.Invoke(problem);
        return r;
    }

    /// <summary>The stored object is this very claim (ours, from a try whose answer was lost).</summary>
    static bool Same(Reservation stored, Reservation wanted) =>
        stored.Owner == wanted.Owner && stored.Fixed == wanted.Fixed && stored.Node == wanted.Node && stored.Segment == wanted.Segment;

    Dictionary<string, IPAddress> Cursors(string pool)
    {
        if (_options.SpreadKey is { } key && _options.PoolOf?.Invoke(pool) is { } ipPool)
            foreach (var segment in ipPool.Segments)
                if (!_cursors.ContainsKey((pool, segment.Name)) && SpreadStart(segment, key) is { } start)
                    _cursors.TryAdd((pool, segment.Name), start);
        return _cursors.Where(kv => kv.Key.Pool == pool).ToDictionary(kv => kv.Key.Segment, kv => kv.Value);
    }

    /// <summary>An allocatable address of the segment chosen by a stable hash of key and segment (the walk starts after it).</summary>
    static IPAddress? SpreadStart(Segment segment, string key)
    {
        var addresses = new Addressing.SegmentAddresses(segment);
        ulong count = addresses.Count(cap: 1 << 16);
        if (count == 0) return null;
        uint hash = 2166136261;
        foreach (char c in key + "/" + segment.Name) hash = (hash ^ c) * 16777619; // FNV-1a: the same start in every run
        return addresses.From(null).Skip((int)(hash % count)).First();
    }

    static void CheckPool(string pool)
    {
        if (!Names.IsDnsLabel(pool)) throw new ArgumentException($"pool name \"{pool}\" {Names.DnsLabelRule}", nameof(pool));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cache in _caches.Values) await cache.DisposeAsync();
        _caches.Clear();
    }
}

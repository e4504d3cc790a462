namespace Cdd.Operator.Extender;

/// <summary>
/// A snapshot source that reads again once the last read is older than the TTL (counted from when that read began).
/// Calls arriving while a read is under way wait for that read instead of starting their own. A failed read is not
/// kept: its callers get the failure and the next call reads again; an older snapshot is never served in its place.
/// </summary>
internal sealed class SnapshotCache(Func<CancellationToken, Task<IPlacementSnapshot>> read, TimeProvider time, TimeSpan ttl) : IPlacementSource
{
    private readonly Lock _lock = new();
    private (DateTimeOffset ReadAt, IPlacementSnapshot Snapshot)? _fresh;
    private Task<IPlacementSnapshot>? _reading;

    public async ValueTask<IPlacementSnapshot> CurrentAsync(CancellationToken ct)
    {
        Task<IPlacementSnapshot> reading;
        lock (_lock)
        {
            if (_fresh is { } f && time.GetUtcNow() - f.ReadAt < ttl) return f.Snapshot;
            // A completed read has either filled _fresh (now stale) or failed: read again.
            if (_reading is null || _reading.IsCompleted) _reading = ReadAsync();
            reading = _reading;
        }
        // The read is shared, so one caller giving up (the scheduler's timeout) must not cancel it for the others.
        return await reading.WaitAsync(ct);
    }

    private async Task<IPlacementSnapshot> ReadAsync()
    {
        // Off the caller's lock: the read's continuation takes the lock again.
        await Task.Yield();
        var at = time.GetUtcNow();
        var snapshot = await read(CancellationToken.None);
        lock (_lock)
            if (_fresh is not { } f || f.ReadAt < at) _fresh = (at, snapshot);
        return snapshot;
    }
}

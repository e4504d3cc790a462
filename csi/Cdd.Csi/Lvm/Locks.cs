using System.Collections.Concurrent;
using Cdd.Csi.Errors;

namespace Cdd.Csi.Lvm;

/// <summary>
/// lvm2 takes its own VG lock, but our read-check-create sequences must not interleave, so calls on one VG
/// queue here. A second call on a volume that is already being worked on fails fast with ABORTED (spec).
/// </summary>
internal sealed class Locks
{
    readonly ConcurrentDictionary<string, SemaphoreSlim> _vgs = new();
    readonly ConcurrentDictionary<string, byte> _inFlight = new();

    public async Task<IDisposable> VolumeGroupAsync(string vg)
    {
        var sem = _vgs.GetOrAdd(vg, _ => new SemaphoreSlim(1, 1));
        await sem.WaitAsync();
        return new Release(() => sem.Release());
    }

    public IDisposable Volume(string key)
    {
        if (!_inFlight.TryAdd(key, 0))
            throw new CsiException(CsiFault.Aborted, $"an operation on {key} is already in progress");
        return new Release(() => _inFlight.TryRemove(key, out _));
    }

    sealed class Release(Action release) : IDisposable
    {
        int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) release();
        }
    }
}

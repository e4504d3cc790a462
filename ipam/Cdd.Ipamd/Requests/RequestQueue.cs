namespace Cdd.Ipamd.Requests;

/// <summary>
/// Back-pressure: at most <c>concurrent</c> requests work at once and at most <c>capacity</c> are in the agent at all
/// (working or waiting). A request beyond capacity is refused at once (code 11, the runtime retries later) rather than
/// left to wait past its client's timeout.
/// </summary>
internal sealed class RequestQueue(int concurrent, int capacity) : IDisposable
{
    readonly SemaphoreSlim _workers = new(concurrent, concurrent);
    int _inside;

    public int Capacity => capacity;

    /// <summary>A slot to work in, or null when the queue is full. Waiting ends with <paramref name="ct"/>.</summary>
    public async Task<IDisposable?> EnterAsync(CancellationToken ct)
    {
        if (Interlocked.Increment(ref _inside) > capacity)
        {
            Interlocked.Decrement(ref _inside);
            return null;
        }
        try
        {
            await _workers.WaitAsync(ct);
        }
        catch
        {
            Interlocked.Decrement(ref _inside);
            throw;
        }
        return new Slot(this);
    }

    public void Dispose() => _workers.Dispose();

    sealed class Slot(RequestQueue queue) : IDisposable
    {
        int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            queue._workers.Release();
            Interlocked.Decrement(ref queue._inside);
        }
    }
}

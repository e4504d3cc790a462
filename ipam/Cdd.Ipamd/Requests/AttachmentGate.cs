namespace Cdd.Ipamd.Requests;

/// <summary>
/// One verb at a time per attachment (container ID + interface). A newcomer cancels the verb in progress and waits for
/// it to finish, its clean-up included: a runtime sends the next verb for an attachment only once the previous one
/// answered or its client gave up, so whatever is still running works for nobody. A DEL thus never overtakes the ADD
/// it undoes, and releases whatever that ADD took.
/// </summary>
internal sealed class AttachmentGate
{
    internal sealed class Slot : IDisposable
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public CancellationTokenSource? Holder;
        public int Users;

        public void Dispose() => Lock.Dispose();
    }

    readonly Dictionary<(string, string), Slot> _slots = [];

    /// <summary>Whether a verb for the attachment runs or waits now.</summary>
    public bool IsBusy(string containerId, string ifName)
    {
        lock (_slots) return _slots.ContainsKey((containerId, ifName));
    }

    /// <summary>Waits for the attachment's turn; the entry's token is cancelled with <paramref name="ct"/> or by the next comer.</summary>
    public async Task<Entry> EnterAsync(string containerId, string ifName, CancellationToken ct)
    {
        var key = (containerId, ifName);
        Slot? slot;
        lock (_slots)
        {
            if (!_slots.TryGetValue(key, out slot)) _slots[key] = slot = new Slot();
            slot.Users++;
            slot.Holder?.Cancel();
        }
        try
        {
            await slot.Lock.WaitAsync(ct);
        }
        catch
        {
            Leave(key, slot, null);
            throw;
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lock (_slots) slot.Holder = cts;
        return new Entry(this, key, slot, cts);
    }

    void Leave((string, string) key, Slot slot, CancellationTokenSource? holder)
    {
        lock (_slots)
        {
            if (holder is not null)
            {
                if (ReferenceEquals(slot.Holder, holder)) slot.Holder = null;
                holder.Dispose();
                slot.Lock.Release();
            }
            if (--slot.Users == 0)
            {
                _slots.Remove(key);
                slot.Dispose();
            }
        }
    }

    internal sealed class Entry : IDisposable
    {
        readonly AttachmentGate _gate;
        readonly (string, string) _key;
        readonly Slot _slot;
        readonly CancellationTokenSource _cts;
        int _disposed;

        internal Entry(AttachmentGate gate, (string, string) key, Slot slot, CancellationTokenSource cts)
        {
            _gate = gate;
            _key = key;
            _slot = slot;
            _cts = cts;
            Token = cts.Token;
        }

        /// <summary>Cancelled when the request's client is gone (deadline, hang-up) or a newer verb for the attachment arrived.</summary>
        public CancellationToken Token { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) _gate.Leave(_key, _slot, _cts);
        }
    }
}

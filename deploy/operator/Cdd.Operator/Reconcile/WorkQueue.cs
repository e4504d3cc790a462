namespace Cdd.Operator.Reconcile;

/// <summary>
/// Exponential backoff for a key that keeps failing: <see cref="Base"/> × 2^(failures − 1), capped at <see cref="Max"/>.
/// </summary>
internal sealed record Backoff(TimeSpan Base, TimeSpan Max)
{
    public static readonly Backoff Default = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5));

    /// <summary>The wait before retry number <paramref name="failures"/> (1 = after the first failure).</summary>
    public TimeSpan Delay(int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        int shift = Math.Min(failures - 1, 30);
        double ticks = Base.Ticks * Math.Pow(2, shift);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>
/// The reconciler's work queue, pure (time is passed in): one entry per key (adding a queued key keeps the earlier due
/// time), a key being processed is never handed out twice (added again meanwhile, it is queued once more when
/// <see cref="Done"/> is called), failures push the key back by <see cref="Backoff"/>, success forgets its failures.
/// </summary>
internal sealed class WorkQueue<TKey>(Backoff backoff) where TKey : notnull
{
    readonly Dictionary<TKey, DateTimeOffset> _due = [];
    readonly Dictionary<TKey, int> _failures = [];
    readonly HashSet<TKey> _processing = [];
    readonly Dictionary<TKey, DateTimeOffset> _dirty = [];

    public int Count => _due.Count;
    public int Failures(TKey key) => _failures.GetValueOrDefault(key);

    /// <summary>Queues <paramref name="key"/> to run at <paramref name="at"/> (or earlier, when already queued earlier).</summary>
    public void Add(TKey key, DateTimeOffset at)
    {
        if (_processing.Contains(key))
        {
            _dirty[key] = _dirty.TryGetValue(key, out var d) && d <= at ? d : at;
            return;
        }
        if (!_due.TryGetValue(key, out var due) || at < due) _due[key] = at;
    }

    /// <summary>The earliest due time, or null when nothing is queued.</summary>
    public DateTimeOffset? NextDue => _due.Count == 0 ? null : _due.Values.Min();

    /// <summary>Hands out the key due first when it is due at <paramref name="now"/>; it stays processing until <see cref="Done"/>.</summary>
    public bool TryTake(DateTimeOffset now, out TKey key)
    {
        key = default!;
        bool found = false;
        DateTimeOffset best = DateTimeOffset.MaxValue;
        foreach (var (k, due) in _due)
            if (due <= now && due < best) { best = due; key = k; found = true; }
        if (!found) return false;
        _due.Remove(key);
        _processing.Add(key);
        return true;
    }

    /// <summary>
    /// Ends processing of <paramref name="key"/>. On failure it is queued again after the backoff for its failure count
    /// and the delay is returned; on success its failures are forgotten. Either way an Add during processing is honoured.
    /// </summary>
    public TimeSpan? Done(TKey key, bool succeeded, DateTimeOffset now)
    {
        _processing.Remove(key);
        TimeSpan? delay = null;
        if (succeeded) _failures.Remove(key);
        else
        {
            int n = _failures[key] = _failures.GetValueOrDefault(key) + 1;
            delay = backoff.Delay(n);
            Add(key, now + delay.Value);
        }
        if (_dirty.Remove(key, out var at)) Add(key, succeeded ? at : (at > now + delay!.Value ? at : now + delay.Value));
        return delay;
    }
}

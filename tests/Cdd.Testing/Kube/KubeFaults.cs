namespace Cdd.Testing.Kube;

/// <summary>
/// Faults the fake API server injects, decided by a seeded random so a failing run can be replayed. Rates are
/// per request, in [0, 1]; a faulted request changes nothing.
/// </summary>
public sealed class KubeFaults
{
    readonly Lock _lock = new();
    Random _rng = new(1);

    public TimeSpan Latency { get; set; }
    /// <summary>Extra delay for requests of these HTTP methods only (a server that accepts a write and stalls, then applies it).</summary>
    public TimeSpan Stall { get; set; }
    public IReadOnlySet<string>? StallMethods { get; set; }
    /// <summary>The HTTP methods the 409/500/503 rates apply to; null: every method.</summary>
    public IReadOnlySet<string>? Methods { get; set; }
    public double ConflictRate { get; set; }
    public double InternalErrorRate { get; set; }
    public double UnavailableRate { get; set; }
    /// <summary>Chance that a write (POST, PUT, PATCH, DELETE) is applied but answered 500, as when the answer is lost.</summary>
    public double LostReplyRate { get; set; }
    /// <summary>Every watch stream is cut this long after it opened (zero: never), as a load balancer dropping connections.</summary>
    public TimeSpan WatchLifetime { get; set; }
    /// <summary>Every change reaches open watch streams this much later (zero: at once), as from a loaded server.</summary>
    public TimeSpan WatchLag { get; set; }
    /// <summary>Chance that a watch stream is cut after each event it sends.</summary>
    public double WatchDropRate { get; set; }

    public int Seed
    {
        set { lock (_lock) _rng = new Random(value); }
    }

    internal bool Roll(double rate)
    {
        if (rate <= 0) return false;
        lock (_lock) return _rng.NextDouble() < rate;
    }
}

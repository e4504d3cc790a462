using System.Net;

namespace Cdd.Ipam.Kube.Store;

/// <summary>Tuning of <see cref="KubeReservationStore"/>; the defaults suit a node agent.</summary>
public sealed record KubeStoreOptions
{
    /// <summary>Tries of one request whose answer was a 5xx, 429, timeout or lost connection before the store gives up.</summary>
    public int Attempts { get; init; } = 6;
    /// <summary>First pause between tries; doubled each time.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>Pause before a failed watch is resumed or re-listed.</summary>
    public TimeSpan WatchRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>How long a snapshot waits for a new cache's first LIST before it lists by itself.</summary>
    public TimeSpan CacheWarmup { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>The gateway of a pool's segment, written into each reservation for people reading it (optional).</summary>
    public Func<string, string, IPAddress?>? GatewayOf { get; init; }
    /// <summary>
    /// The validated pool by name (optional). With <see cref="SpreadKey"/> it lets the store start each segment's
    /// round-robin walk at a position derived from the key, so agents of different nodes do not all race for the
    /// same first addresses.
    /// </summary>
    public Func<string, Model.IpPool?>? PoolOf { get; init; }
    /// <summary>What spreads the walks' starting points: the node name, for a node agent.</summary>
    public string? SpreadKey { get; init; }
}

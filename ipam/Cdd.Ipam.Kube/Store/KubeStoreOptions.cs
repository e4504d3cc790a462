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
    /// <summary>
    /// The segments of a pool this store works in (a node agent: the ones its node can use), or null for the whole
    /// pool. Set, the store watches only those segments' reservations (selected by their segment label), so its cache
    /// and its watch traffic follow the node, not the cluster; a fixed identity's binding is then looked up by its
    /// label from the API server's cache (resourceVersion 0) instead of a LIST of the pool. A scoped store belongs to
    /// one node's agent: its synced cache is then the truth about that node's attachments (see PoolSnapshot.Settled).
    /// </summary>
    public Func<string, IReadOnlyCollection<string>?>? SegmentsOf { get; init; }
    /// <summary>What spreads the walks' starting points: the node name, for a node agent.</summary>
    public string? SpreadKey { get; init; }
}

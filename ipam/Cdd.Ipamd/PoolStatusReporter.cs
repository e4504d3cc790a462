using Cdd.Ipam.Addressing;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;

namespace Cdd.Ipamd;

/// <summary>
/// Counts each pool's addresses per segment (total, allocated) and writes them to the pool's status when they changed
/// since the last write, and to the metrics every time. With many agents, only the one that <c>isWriter</c> names
/// (the holder of a Lease) writes status, counting each segment with <c>count</c> (from the API server's cache);
/// every other agent only sets its metrics for the segments its cache holds, with no API call at all.
/// </summary>
internal sealed class PoolStatusReporter(IClusterView view, IPoolStores stores, AgentMetrics metrics,
    Func<CancellationToken, Task<bool>>? isWriter = null, Func<string, string, CancellationToken, Task<long>>? count = null)
{
    readonly Dictionary<string, string> _written = [];

    public async Task ReportAsync(CancellationToken ct)
    {
        bool writer = isWriter is null || await isWriter(ct);
        foreach (var pool in view.Pools)
        {
            IReadOnlyList<Reservation> reservations;
            using (var lease = stores.Open(pool.Name))
                reservations = (await lease.Store.SnapshotAsync(pool.Name, fresh: false, ct)).Reservations;
            var local = Count(pool, reservations);
            var seen = reservations.Select(r => r.Segment).ToHashSet();
            foreach (var u in local.Where(u => count is null || seen.Contains(u.Segment)))
            {
                metrics.PoolAddresses.WithLabels(pool.Name, u.Segment, "allocated").Set(u.Allocated);
                metrics.PoolAddresses.WithLabels(pool.Name, u.Segment, "free").Set(u.Free);
            }
            if (!writer) continue;
            var usage = count is null ? local : await CountEach(pool, ct);
            string fingerprint = string.Join(";", usage.Select(u => $"{u.Segment}:{u.Total}:{u.Allocated}"));
            if (_written.TryGetValue(pool.Name, out var last) && last == fingerprint) continue;
            await view.WritePoolStatusAsync(pool.Name, usage, ct);
            _written[pool.Name] = fingerprint;
        }
    }

    async Task<List<SegmentUsage>> CountEach(IpPool pool, CancellationToken ct)
    {
        var usage = new List<SegmentUsage>(pool.Segments.Count);
        foreach (var s in pool.Segments)
        {
            long total = Total(s);
            usage.Add(new SegmentUsage(s.Name, total, Math.Min(total, await count!(pool.Name, s.Name, ct))));
        }
        return usage;
    }

    /// <summary>Totals are counted by walking the segment, capped: an IPv6 /64 reports the cap, not 2^64.</summary>
    public const ulong TotalCap = 1 << 20;
    readonly Dictionary<Segment, long> _totals = new(ReferenceEqualityComparer.Instance);

    List<SegmentUsage> Count(IpPool pool, IReadOnlyList<Reservation> reservations) =>
        pool.Segments
            .Select(s => new SegmentUsage(s.Name, Total(s), reservations.Count(r => r.Pool == pool.Name && r.Segment == s.Name)))
            .ToList();

    long Total(Segment s)
    {
        lock (_totals)
        {
            if (_totals.Count > 1024) _totals.Clear();
            return _totals.TryGetValue(s, out long n) ? n : _totals[s] = (long)new SegmentAddresses(s).Count(TotalCap);
        }
    }
}

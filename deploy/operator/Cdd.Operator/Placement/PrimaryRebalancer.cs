namespace Cdd.Operator.Placement;

/// <summary>A member as the rebalancer sees it: pod, host, whether it is the PRIMARY, and its MGR state.</summary>
internal sealed record BalanceMember(string Pod, string Host, bool Primary, string State);

/// <summary>One cluster's members, in the cluster-wide view the rebalancer judges.</summary>
internal sealed record BalanceCluster(string Key, IReadOnlyList<BalanceMember> Members)
{
    public bool AllOnline => Members.Count > 0 && Members.All(m => m.State == "ONLINE");
    public BalanceMember? Primary => Members.SingleOrDefault(m => m.Primary && m.State == "ONLINE");
}

/// <summary>A role move: <see cref="ToPod"/> (on <see cref="ToHost"/>) becomes the PRIMARY of <see cref="Cluster"/> instead of the member on <see cref="FromHost"/>.</summary>
internal sealed record BalanceMove(string Cluster, string FromPod, string FromHost, string ToPod, string ToHost, string Reason);

internal sealed record RebalancerOptions
{
    /// <summary>A cluster whose role was moved is left alone this long (its clients reconnect, its caches warm).</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>At most this many moves in any minute, over all clusters.</summary>
    public int MovesPerMinute { get; init; } = 6;
}

/// <summary>
/// Keeps primaries spread over hosts after elections bunched them. The bound is ⌈primaries / hosts⌉ over the hosts
/// that hold a member of some cluster (the hosts eligible to hold a primary). A host above the bound hands one role
/// to a secondary of the same cluster on the host with the fewest primaries, only when that host ends with fewer
/// primaries than the giving host had minus one (every move lowers Σ primaries², so moves end). One cluster per
/// move, only clusters whose members are all ONLINE, not within the cluster's cool-down, at most
/// <see cref="RebalancerOptions.MovesPerMinute"/> per minute. Deterministic (ties by host, then cluster key). Moves
/// touch no data: the caller runs group_replication_set_as_primary and records the move here with <see cref="Moved"/>.
/// </summary>
internal sealed class PrimaryRebalancer(RebalancerOptions? options = null, TimeProvider? time = null)
{
    readonly RebalancerOptions _options = options ?? new RebalancerOptions();
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly Dictionary<string, DateTimeOffset> _lastMove = new(StringComparer.Ordinal);
    readonly Queue<DateTimeOffset> _recent = new();

    public static int Bound(IReadOnlyList<BalanceCluster> clusters)
    {
        int hosts = clusters.SelectMany(c => c.Members.Select(m => m.Host)).Distinct(StringComparer.Ordinal).Count();
        int primaries = clusters.Count(c => c.Primary is not null);
        return hosts == 0 ? 0 : (primaries + hosts - 1) / hosts;
    }

    public static Dictionary<string, int> PrimariesPerHost(IReadOnlyList<BalanceCluster> clusters)
    {
        var per = clusters.SelectMany(c => c.Members.Select(m => m.Host)).Distinct(StringComparer.Ordinal).ToDictionary(h => h, _ => 0, StringComparer.Ordinal);
        foreach (var c in clusters)
            if (c.Primary is { } p) per[p.Host]++;
        return per;
    }

    /// <summary>The next move, or null when none is allowed or useful; <paramref name="why"/> says why not.</summary>
    public BalanceMove? Next(IReadOnlyList<BalanceCluster> clusters, out string why)
    {
        var now = _time.GetUtcNow();
        while (_recent.Count > 0 && now - _recent.Peek() >= TimeSpan.FromMinutes(1)) _recent.Dequeue();
        int bound = Bound(clusters);
        var per = PrimariesPerHost(clusters);
        var over = per.Where(kv => kv.Value > bound).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        if (over.Count == 0)
        {
            why = $"no host holds more than the bound of {bound} primaries";
            return null;
        }
        if (_recent.Count >= _options.MovesPerMinute)
        {
            why = $"{_recent.Count} moves in the last minute (cap {_options.MovesPerMinute})";
            return null;
        }
        var skipped = new List<string>();
        foreach (var (host, count) in over)
        {
            BalanceMove? best = null;
            int bestTarget = int.MaxValue;
            foreach (var c in clusters.Where(c => c.Primary?.Host == host).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                if (!c.AllOnline) { skipped.Add($"{c.Key}: not every member ONLINE"); continue; }
                if (_lastMove.TryGetValue(c.Key, out var at) && now - at < _options.CoolDown) { skipped.Add($"{c.Key}: cooling down"); continue; }
                foreach (var s in c.Members.Where(m => !m.Primary).OrderBy(m => per[m.Host]).ThenBy(m => m.Host, StringComparer.Ordinal))
                {
                    int target = per[s.Host];
                    if (target + 1 >= count || target >= bestTarget) continue;
                    bestTarget = target;
                    best = new BalanceMove(c.Key, c.Primary!.Pod, host, s.Pod, s.Host,
                        $"host {host} holds {count} primaries, above the bound ⌈primaries/hosts⌉ = {bound}; {s.Host} holds {target}");
                }
            }
            if (best is not null)
            {
                why = best.Reason;
                return best;
            }
        }
        why = skipped.Count > 0 ? $"hosts above the bound {bound}, but: {string.Join("; ", skipped.Distinct())}" : $"hosts above the bound {bound}, but no secondary sits on a host with fewer primaries";
        return null;
    }

    /// <summary>Records a move that was made (cool-down and the per-minute cap count from now).</summary>
    public void Moved(string cluster)
    {
        var now = _time.GetUtcNow();
        _lastMove[cluster] = now;
        _recent.Enqueue(now);
    }
}

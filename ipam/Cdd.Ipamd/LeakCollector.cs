using Cdd.Ipam.Cluster;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// Releases this node's reservations whose pod is gone (deleted, or replaced by a pod of the same name with another
/// UID) once they have looked leaked for a whole grace period, unchanged: a pod being created, or a reservation that
/// moved on, is never taken. Fixed bindings are kept (their identity comes back); reservations without a pod name
/// (plain CNI use) are left to CNI GC. Each release is version-checked, so a reservation claimed anew in between survives.
/// </summary>
internal sealed class LeakCollector(IClusterView view, IPoolStores stores, string nodeName, TimeSpan grace, TimeProvider clock, AgentMetrics metrics, ILogger log)
{
    readonly Dictionary<string, (string? Version, DateTimeOffset Since)> _suspects = [];

    public async Task<IReadOnlyList<Reservation>> SweepAsync(CancellationToken ct)
    {
        var released = new List<Reservation>();
        var seen = new HashSet<string>();
        foreach (var pool in view.Pools)
        {
            using var lease = stores.Open(pool.Name);
            var snapshot = await lease.Store.SnapshotAsync(pool.Name, fresh: true, ct);
            foreach (var r in snapshot.Reservations)
            {
                if (r.Pool != pool.Name || r.Node != nodeName || r.Fixed is not null) continue;
                if (r.Owner is not { PodNamespace.Length: > 0, PodName.Length: > 0 } owner) continue;
                var pod = await view.GetPodAsync(owner.PodNamespace, owner.PodName, ct);
                bool gone = pod is null || (owner.PodUid.Length > 0 && pod.Uid != owner.PodUid);
                string key = r.Name;
                if (!gone)
                {
                    _suspects.Remove(key);
                    continue;
                }
                seen.Add(key);
                var now = clock.GetUtcNow();
                if (!_suspects.TryGetValue(key, out var suspect) || suspect.Version != r.Version)
                {
                    _suspects[key] = (r.Version, now);
                    continue;
                }
                if (now - suspect.Since < grace) continue;
                if (await lease.Store.TryReleaseAsync(r, ct))
                {
                    released.Add(r);
                    metrics.Releases.WithLabels(pool.Name, "leak").Inc();
                    log.Information("ipam.leak.released {Pool} {Address} {Owner} {SuspectSince}", pool.Name, r.Address.ToString(), owner.ToString(), suspect.Since);
                }
                _suspects.Remove(key);
            }
        }
        foreach (var key in _suspects.Keys.Where(k => !seen.Contains(k)).ToList()) _suspects.Remove(key);
        return released;
    }
}

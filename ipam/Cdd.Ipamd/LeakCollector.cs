using Cdd.Ipam.Cluster;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using Serilog;

namespace Cdd.Ipamd;

/// <summary>
/// Releases this node's reservations that have looked leaked for a whole grace period, unchanged (a pod being created,
/// or a reservation that moved on, is never taken; each release is version-checked, so one claimed anew in between
/// survives):
/// - whose attachment the node no longer has: neither answered by this agent, nor listed valid by a CNI GC, nor there
///   before the agent started, nor in flight (a claim whose client gave up before the answer, given back late);
///   a fixed binding only loses its owner;
/// - whose pod is gone (deleted, or replaced by a pod of the same name with another UID). Fixed bindings are kept
///   (their identity comes back); reservations without a pod name (plain CNI use) are left to CNI GC.
/// The sweep reads the agent's caches, not the API server: its cost does not grow with the cluster.
/// </summary>
internal sealed class LeakCollector(IClusterView view, IPoolStores stores, string nodeName, TimeSpan grace, TimeProvider clock, AgentMetrics metrics, ILogger log,
    AgentCore? core = null)
{
    readonly Dictionary<string, (string? Version, DateTimeOffset Since)> _suspects = [];

    public async Task<IReadOnlyList<Reservation>> SweepAsync(CancellationToken ct)
    {
        var released = new List<Reservation>();
        var seen = new HashSet<string>();
        foreach (var pool in view.Pools)
        {
            using var lease = stores.Open(pool.Name);
            var snapshot = await lease.Store.SnapshotAsync(pool.Name, fresh: false, ct);
            foreach (var r in snapshot.Reservations)
            {
                if (r.Pool != pool.Name || r.Node != nodeName || r.Owner is not { } holder) continue;
                if (core is not null && !core.Record.Knows(holder.ContainerId, holder.IfName) && !core.Gate.IsBusy(holder.ContainerId, holder.IfName))
                {
                    string unknown = "attachment:" + r.Name;
                    seen.Add(unknown);
                    if (Suspect(unknown, r, out var since))
                        foreach (var x in await core.CollectUnknownAsync(pool.Name, holder.ContainerId, holder.IfName, ct))
                        {
                            released.Add(x);
                            metrics.Releases.WithLabels(pool.Name, "leak").Inc();
                            log.Information("ipam.leak.released {Pool} {Address} {Owner} {SuspectSince} {Why}", pool.Name, x.Address.ToString(), holder.ToString(), since,
                                "no answered ADD, valid CNI GC entry or earlier agent stands behind the attachment");
                        }
                    continue;
                }
                if (r.Fixed is not null) continue;
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

    /// <summary>True once <paramref name="r"/> has looked leaked, unchanged, for the grace period (then it is forgotten).</summary>
    bool Suspect(string key, Reservation r, out DateTimeOffset since)
    {
        var now = clock.GetUtcNow();
        if (!_suspects.TryGetValue(key, out var suspect) || suspect.Version != r.Version)
        {
            _suspects[key] = (r.Version, now);
            since = now;
            return false;
        }
        since = suspect.Since;
        if (now - suspect.Since < grace) return false;
        _suspects.Remove(key);
        return true;
    }
}

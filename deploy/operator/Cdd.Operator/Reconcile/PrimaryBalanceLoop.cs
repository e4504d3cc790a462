using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Placement;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>The last primary move the balance loop made per cluster key, for that cluster's PrimaryBalanced condition.</summary>
internal sealed class BalanceLedger
{
    readonly ConcurrentDictionary<string, Condition> _last = new(StringComparer.Ordinal);
    public void Record(string cluster, Condition condition) => _last[cluster] = condition;
    public Condition? For(string cluster) => _last.TryGetValue(cluster, out var c) ? c : null;
}

/// <summary>
/// The global primary spread: every <paramref name="interval"/> it reads every MySQLCluster's status (members with
/// node, role and MGR state, as the reconciler wrote them), asks <see cref="PrimaryRebalancer"/> for at most one move,
/// and runs it with the promoter (group_replication_set_as_primary; no data moves). Each move gets an Event on the
/// MySQLCluster (reason PrimaryRebalanced) and the cluster's PrimaryBalanced condition through the ledger; the
/// cluster is queued so its status shows it. <paramref name="extra"/> adds clusters the API server does not hold
/// (tests: the load of other groups).
/// </summary>
internal sealed class PrimaryBalanceLoop(IKubernetes client, IPrimaryPromoter promoter, PrimaryRebalancer rebalancer, BalanceLedger ledger,
    Action<(string Ns, string Name)> notify, TimeSpan interval, TimeProvider time, TextWriter log,
    Func<IReadOnlyList<BalanceCluster>>? extra = null)
{
    public const string Type = "PrimaryBalanced";

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await OnceAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.WriteLine($"cdd-operator: primary balance: {e.Message}");
            }
            try { await Task.Delay(interval, time, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One look at every cluster and at most one move; returns it (null when none was made).</summary>
    public async Task<BalanceMove?> OnceAsync(CancellationToken ct)
    {
        var objects = await new MySqlClusterApi(client).ListAsync(ct);
        var byKey = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var clusters = new List<BalanceCluster>();
        foreach (var o in objects)
        {
            string ns = o["metadata"]?["namespace"]?.GetValue<string>() ?? "", name = o["metadata"]?["name"]?.GetValue<string>() ?? "";
            var members = (o["status"]?["members"] as JsonArray)?.OfType<JsonObject>()
                .Where(m => m["node"] is not null)
                .Select(m => new BalanceMember(m["name"]!.GetValue<string>(), m["node"]!.GetValue<string>(),
                    m["role"]?.GetValue<string>() == "PRIMARY", m["state"]?.GetValue<string>() ?? "")).ToList() ?? [];
            if (members.Count == 0) continue;
            byKey[$"{ns}/{name}"] = o;
            clusters.Add(new BalanceCluster($"{ns}/{name}", members));
        }
        if (extra is not null) clusters.AddRange(extra());
        var move = rebalancer.Next(clusters, out _);
        if (move is null || !byKey.TryGetValue(move.Cluster, out var cluster)) return null;
        var spec = ClusterSpec.Parse(cluster);
        var ip = (cluster["status"]?["members"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(m => m["name"]?.GetValue<string>() == move.ToPod)?["ip"]?.GetValue<string>();
        if (ip is null || promoter.Unavailable is not null) return null;
        rebalancer.Moved(move.Cluster);
        Condition result;
        try
        {
            await promoter.PromoteAsync(spec, move.ToPod, ip, ct);
            result = new Condition(Type, true, "PrimaryRebalanced", $"{move.Reason}: PRIMARY moved from {move.FromPod} to {move.ToPod} on {move.ToHost}");
        }
        catch (Primary.PrimaryPromotionException e)
        {
            result = new Condition(Type, false, "RebalanceFailed", $"{move.Reason}: moving the PRIMARY to {move.ToPod} failed: {e.Message}");
        }
        ledger.Record(move.Cluster, result);
        await EventAsync(cluster, spec, result, ct);
        log.WriteLine($"cdd-operator: primary balance: {move.Cluster}: {result.Message}");
        notify((spec.Namespace, spec.Name));
        return move;
    }

    async Task EventAsync(JsonObject cluster, ClusterSpec spec, Condition result, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = $"{spec.Name}.{now.Ticks:x}", NamespaceProperty = spec.Namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = $"{MySqlClusterApi.Group}/{MySqlClusterApi.Version}", Kind = MySqlClusterApi.Kind, Name = spec.Name,
                NamespaceProperty = spec.Namespace, Uid = spec.Uid,
            },
            Reason = result.Reason, Message = result.Message, Type = result.Status ? "Normal" : "Warning",
            FirstTimestamp = now, LastTimestamp = now, Count = 1, Source = new V1EventSource { Component = "cdd-operator" },
        };
        try { await client.CoreV1.CreateNamespacedEventAsync(ev, spec.Namespace, cancellationToken: ct); }
        catch (k8s.Autorest.HttpOperationException e) { log.WriteLine($"cdd-operator: primary balance: event for {spec.Key} not written ({(int)e.Response.StatusCode})"); }
    }
}

using System.Text.Json.Nodes;
using Cdd.Ipam.Kube;
using Cdd.Operator.Model;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// The <c>/status</c> of a MySQLCluster: built from the pass's conditions (a condition's transition time is kept while
/// its status does not change, else it is now by <see cref="TimeProvider"/>) and written only when it differs.
/// </summary>
internal sealed class StatusWriter(MySqlClusterApi clusters, TimeProvider time)
{
    /// <summary>The order conditions appear in the status, whatever order the steps concluded them in.</summary>
    static readonly string[] Order =
        [Condition.Placed, Condition.Ready, Condition.PrimaryHostHealthy, Condition.PrimaryTracked, Condition.SettingsApplied, Condition.PodsUpToDate];

    public JsonObject Build(JsonObject cluster, string phase, JsonArray members, int ready, string? primary, IEnumerable<Condition> conditions)
    {
        var old = cluster["status"]?["conditions"] as JsonArray;
        long? generation = cluster["metadata"]!["generation"]?.GetValue<long>();
        var conds = new JsonArray();
        foreach (var (type, status, reason, message) in conditions.OrderBy(c => Array.IndexOf(Order, c.Type) is var i && i < 0 ? Order.Length : i))
        {
            string s = status ? "True" : "False";
            var prev = old?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
            string since = prev?["status"]?.GetValue<string>() == s && prev["lastTransitionTime"]?.GetValue<string>() is { } t
                ? t : time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
            var c = new JsonObject { ["type"] = type, ["status"] = s, ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = since };
            if (generation is { } g) c["observedGeneration"] = g;
            conds.Add(c);
        }
        var st = new JsonObject { ["phase"] = phase, ["readyMembers"] = ready, ["members"] = members, ["conditions"] = conds };
        if (generation is { } gen) st["observedGeneration"] = gen;
        if (primary is not null) st["primary"] = primary;
        return st;
    }

    /// <summary>PUT /status on the freshest object; a 409 (someone wrote in between) reads again and retries.</summary>
    public async Task WriteAsync(string ns, string name, JsonObject status, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            var now = await clusters.GetAsync(ns, name, ct);
            if (now is null) return;
            if (JsonNode.DeepEquals(now["status"], status)) return;
            now["status"] = status.DeepClone();
            try
            {
                await clusters.ReplaceStatusAsync(now, ct);
                return;
            }
            catch (Exception e) when (ApiFailure.IsConflict(e) && attempt < 4)
            {
            }
        }
    }
}

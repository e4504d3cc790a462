using System.Text.Json.Nodes;
using Cdd.Ipam.Kube;
using k8s;
using k8s.Autorest;

namespace Cdd.Operator.Model;

/// <summary>MySQLCluster objects through KubernetesClient's generic custom-object calls, as plain JSON.</summary>
internal sealed class MySqlClusterApi(IKubernetes client)
{
    public const string Group = "cdd.io", Version = "v1", Plural = "mysqlclusters", Kind = "MySQLCluster";

    /// <summary>The finalizer that makes deletion wait until the reconciler has removed the members' objects.</summary>
    public const string Finalizer = "cdd.io/mysqlcluster";

    public async Task<JsonObject?> GetAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            using var res = await client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(Group, Version, ns, Plural, name, cancellationToken: ct);
            return res.Body;
        }
        catch (HttpOperationException e) when (ApiFailure.IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>Every MySQLCluster in every namespace.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(CancellationToken ct)
    {
        using var res = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonObject>(Group, Version, Plural, cancellationToken: ct);
        return [.. (res.Body["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    public async Task<JsonObject> ReplaceAsync(JsonObject obj, CancellationToken ct)
    {
        var (ns, name) = Id(obj);
        using var res = await client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<JsonObject>(obj, Group, Version, ns, Plural, name, cancellationToken: ct);
        return res.Body;
    }

    public async Task<JsonObject> ReplaceStatusAsync(JsonObject obj, CancellationToken ct)
    {
        var (ns, name) = Id(obj);
        using var res = await client.CustomObjects.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync<JsonObject>(obj, Group, Version, ns, Plural, name, cancellationToken: ct);
        return res.Body;
    }

    /// <summary>
    /// The subnets of the IPPool's segments, comma-separated (group_replication_ip_allowlist), or null when the pool
    /// cannot be read (absent, or IPPools not served): then MGR's AUTOMATIC allowlist applies.
    /// </summary>
    public async Task<string?> PoolAllowlistAsync(string pool, CancellationToken ct)
    {
        try
        {
            using var res = await client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<JsonObject>(Group, Version, "ippools", pool, cancellationToken: ct);
            var subnets = (res.Body["spec"]?["segments"] as JsonArray ?? []).Select(s => s?["subnet"]?.GetValue<string>()).OfType<string>().Distinct().ToList();
            return subnets.Count == 0 ? null : string.Join(',', subnets);
        }
        catch (HttpOperationException e) when (ApiFailure.IsNotFound(e) || ApiFailure.IsForbidden(e))
        {
            return null;
        }
    }

    static (string Ns, string Name) Id(JsonObject o) =>
        (o["metadata"]!["namespace"]!.GetValue<string>(), o["metadata"]!["name"]!.GetValue<string>());
}

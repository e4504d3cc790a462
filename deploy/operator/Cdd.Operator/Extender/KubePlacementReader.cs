using System.Text.Json;
using System.Text.Json.Nodes;
using Cdd.Ipam.Kube;
using Cdd.Operator.Model;
using k8s;
using k8s.Autorest;

namespace Cdd.Operator.Extender;

/// <summary>
/// One read of the live inventory: the Node list, the member pods (label <c>cdd.io/cluster</c>, all namespaces) and the
/// MySQLClusters of all namespaces, in parallel. A failed list is an <see cref="InventoryUnavailableException"/> naming it.
/// </summary>
internal static class KubePlacementReader
{
    public static async Task<IPlacementSnapshot> ReadAsync(IKubernetes client, CancellationToken ct)
    {
        var nodes = List("listing nodes", async () => (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items);
        var pods = List($"listing member pods (label {SchedulerExtender.ClusterLabel}, all namespaces)",
            async () => (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: SchedulerExtender.ClusterLabel, cancellationToken: ct)).Items);
        var clusters = List($"listing {MySqlClusterApi.Plural}.{MySqlClusterApi.Group}", () => new MySqlClusterApi(client).ListAsync(ct));
        // Wait for all three, then report the first failure in a fixed order, whichever list failed first.
        await Task.WhenAll(nodes, pods, clusters).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return LivePlacementSnapshot.Build(await nodes, await pods, await clusters);
    }

    private static async Task<T> List<T>(string what, Func<Task<T>> list)
    {
        try
        {
            return await list();
        }
        catch (HttpOperationException e)
        {
            throw new InventoryUnavailableException($"{what}: {Describe(e)}", e);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException)
        {
            // OperationCanceledException here is the client's request timeout: the shared read has no caller token.
            throw new InventoryUnavailableException($"{what}: {e.Message}", e);
        }
    }

    /// <summary>"HTTP 503 ServiceUnavailable: injected unavailability": the code and the Status object's message.</summary>
    private static string Describe(HttpOperationException e)
    {
        var code = ApiFailure.StatusOf(e) ?? 0;
        string text = $"HTTP {(int)code} {code}";
        try
        {
            if (e.Response?.Content is { Length: > 0 } body && JsonNode.Parse(body)?["message"]?.GetValue<string>() is { Length: > 0 } message)
                return $"{text}: {message}";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not a Status object: the code says enough.
        }
        return text;
    }
}

using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// Turns watch events into reconcile keys, so a change is acted on at once rather than at the next resync: every
/// MySQLCluster event queues (namespace, name); every event on a member pod (label cdd.io/cluster) queues its cluster.
/// No cache is kept (a pass reads what it needs); a watch that ends or fails is opened again after
/// <c>retryDelay</c>, and the resync covers whatever was missed in between.
/// </summary>
internal sealed class ClusterWatcher(IKubernetes client, Action<(string Ns, string Name)> notify, TimeSpan retryDelay, TimeProvider time, TextWriter log)
{
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(
        Loop("mysqlclusters", WatchClustersAsync, ct),
        Loop("member pods", WatchPodsAsync, ct));

    async Task Loop(string what, Func<CancellationToken, Task> watch, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await watch(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.WriteLine($"cdd-operator: watch on {what} failed: {e.Message}");
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            try { await Task.Delay(retryDelay, time, ct); } catch (OperationCanceledException) { return; }
        }
    }

    async Task WatchClustersAsync(CancellationToken ct)
    {
#pragma warning disable CS0618 // the typed watch over a custom resource's list call (see Cdd.Ipam.Kube's ListWatchCache)
        var stream = client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<JsonObject>(
            MySqlClusterApi.Group, MySqlClusterApi.Version, MySqlClusterApi.Plural, watch: true, allowWatchBookmarks: false, cancellationToken: ct)
            .WatchAsync<JsonObject, JsonObject>(cancellationToken: ct);
#pragma warning restore CS0618
        await foreach (var (type, obj) in stream.WithCancellation(ct))
        {
            if (type is WatchEventType.Bookmark or WatchEventType.Error) continue;
            if (obj?["metadata"]?["namespace"]?.GetValue<string>() is { } ns && obj["metadata"]?["name"]?.GetValue<string>() is { } name)
                notify((ns, name));
        }
    }

    async Task WatchPodsAsync(CancellationToken ct)
    {
#pragma warning disable CS0618
        var stream = client.CoreV1.ListPodForAllNamespacesWithHttpMessagesAsync(labelSelector: MemberNames.ClusterLabel, watch: true, cancellationToken: ct)
            .WatchAsync<V1Pod, V1PodList>(cancellationToken: ct);
#pragma warning restore CS0618
        await foreach (var (type, pod) in stream.WithCancellation(ct))
        {
            if (type is WatchEventType.Bookmark or WatchEventType.Error) continue;
            if (pod?.Metadata?.NamespaceProperty is { } ns && MemberNames.Value(pod.Metadata.Labels, MemberNames.ClusterLabel) is { } cluster)
                notify((ns, cluster));
        }
    }
}

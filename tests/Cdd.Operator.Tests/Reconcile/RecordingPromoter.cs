using Cdd.Operator.Model;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>A promoter that only records whom it was asked to promote (cluster key, pod, report_host).</summary>
sealed class RecordingPromoter : IPrimaryPromoter
{
    public readonly List<(string Cluster, string Pod, string Host)> Calls = [];

    public string? Unavailable => null;

    public Task PromoteAsync(ClusterSpec cluster, string memberPod, string memberHost, CancellationToken ct)
    {
        Calls.Add((cluster.Key, memberPod, memberHost));
        return Task.CompletedTask;
    }
}

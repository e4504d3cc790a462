using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Primary;

/// <summary>
/// Labels the primary's pod <c>cdd.io/role=primary</c> and removes the label from the cluster's other pods (selected by
/// <c>cdd.io/cluster=&lt;cluster&gt;</c> in <paramref name="ns"/>), so a <c>&lt;cluster&gt;-primary</c> Service selecting
/// both labels follows the primary. JSON merge patches on metadata.labels only; the decision is <see cref="RoleLabels.Decide"/>.
/// </summary>
internal sealed class KubeRoleSink(IKubernetes client, string ns) : IRoleSink
{
    public async Task SetPrimaryAsync(string cluster, PrimaryObservation observation, CancellationToken ct)
    {
        if (observation.Status is PrimaryStatus.Unknown or PrimaryStatus.Unmapped) return;
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{RoleLabels.ClusterLabel}={cluster}", cancellationToken: ct);
        var current = pods.Items.Select(p => (p.Metadata.Name, p.Metadata.Labels is { } l && l.TryGetValue(RoleLabels.RoleLabel, out var v) ? v : null));
        foreach (var change in RoleLabels.Decide(observation, current))
        {
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["labels"] = new JsonObject { [RoleLabels.RoleLabel] = change.Value is null ? null : JsonValue.Create(change.Value) },
                },
            };
            await client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), change.Pod, ns, cancellationToken: ct);
        }
    }
}

using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Placement;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Rolls the dynamic MGR settings (<see cref="MgrSettings.Dynamic"/>) out to the running members whose
/// <see cref="MemberNames.SettingsAnnotation"/> differs: secondaries first, the primary last, one member at a time,
/// stopping at the first failure (the next pass resumes). Null until every member has its address.
/// </summary>
internal sealed class RollSettingsStep(IKubernetes client, IMemberSettings settings) : IReconcileStep
{
    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        if (!snapshot.AllBound) return null;
        if (settings.Unavailable is { } why) return new Condition(Condition.SettingsApplied, false, Condition.NotConfigured, why);
        int applied = 0;
        var order = snapshot.Pods.Where(kv => kv.Key < spec.Members && kv.Value.Metadata.DeletionTimestamp is null && kv.Value.Status?.Phase == "Running")
            .OrderBy(kv => MemberNames.Role(kv.Value) == MemberRole.Primary).ThenBy(kv => kv.Key);
        foreach (var (ordinal, pod) in order)
        {
            var desired = MgrSettings.Dynamic(spec, ordinal, snapshot.Addresses);
            string text = MgrSettings.Text(desired);
            if (MemberNames.Value(pod.Metadata.Annotations, MemberNames.SettingsAnnotation) == text) continue;
            try
            {
                await settings.ApplyAsync(spec, pod.Metadata.Name, snapshot.Addresses[ordinal], desired, pass.Ct);
            }
            catch (MemberSettingsException e)
            {
                return new Condition(Condition.SettingsApplied, false, "ApplyFailed", applied == 0 ? e.Message : $"{applied} member(s) updated, then {e.Message}");
            }
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [MemberNames.SettingsAnnotation] = text } } };
            await client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), pod.Metadata.Name, spec.Namespace, cancellationToken: pass.Ct);
            applied++;
        }
        return new Condition(Condition.SettingsApplied, true, applied == 0 ? "UpToDate" : "Applied",
            applied == 0 ? "every running member has the current seeds and weight" : $"seeds and weight applied to {applied} running member(s)");
    }
}

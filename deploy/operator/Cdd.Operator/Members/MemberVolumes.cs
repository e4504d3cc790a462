using Cdd.Ipam.Kube;
using Cdd.Operator.Model;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cdd.Operator.Members;

/// <summary>
/// The nodes a member's data volume allows it on. Members are pinned with <c>spec.nodeName</c>, so kube-scheduler never
/// sees them and never sets <c>volume.kubernetes.io/selected-node</c>, which a WaitForFirstConsumer class (cdd-csi's
/// local LVM) waits for: the reconciler sets it on the PVC itself. From then on the member's data lives where the volume
/// was made, and a replacement pod must go back there:
/// <list type="bullet">
/// <item>a PVC bound to a PV with a required node affinity (a local volume): the nodes matching it;</item>
/// <item>a PVC not bound yet that names a selected node (its volume may be being made there): that node;</item>
/// <item>otherwise (no PVC yet, or a PV any node can reach, e.g. SAN) the member may go anywhere placement allows.</item>
/// </list>
/// </summary>
internal static class MemberVolumes
{
    /// <summary>Where <paramref name="pvc"/> pins its member, or null when it does not.</summary>
    public static async Task<VolumePin?> PinAsync(IKubernetes client, V1PersistentVolumeClaim? pvc, CancellationToken ct)
    {
        if (pvc is null) return null;
        string name = pvc.Metadata.Name;
        if (pvc.Spec?.VolumeName is { Length: > 0 } pvName)
        {
            V1PersistentVolume? pv = null;
            try { pv = await client.CoreV1.ReadPersistentVolumeAsync(pvName, cancellationToken: ct); }
            catch (HttpOperationException e) when (ApiFailure.IsNotFound(e)) { }
            var terms = pv?.Spec?.NodeAffinity?.Required?.NodeSelectorTerms;
            if (terms is null || terms.Count == 0) return null;
            return new VolumePin(name, $"its volume {pvName} is reachable only from nodes matching its node affinity", n => terms.Any(t => Matches(t, n)));
        }
        if (MemberNames.Value(pvc.Metadata.Annotations, MemberNames.SelectedNodeAnnotation) is { Length: > 0 } selected)
            return new VolumePin(name, $"its volume is being made on node {selected}", n => n.Metadata.Name == selected);
        return null;
    }

    /// <summary>One nodeSelectorTerm: every matchExpressions (labels) and matchFields (metadata.name) requirement holds.</summary>
    public static bool Matches(V1NodeSelectorTerm term, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var r in term.MatchExpressions ?? [])
            if (!Holds(r, labels.TryGetValue(r.Key, out var v) ? v : null)) return false;
        foreach (var r in term.MatchFields ?? [])
            if (!Holds(r, r.Key == "metadata.name" ? node.Metadata.Name : null)) return false;
        return (term.MatchExpressions?.Count ?? 0) + (term.MatchFields?.Count ?? 0) > 0;
    }

    static bool Holds(V1NodeSelectorRequirement r, string? value) => r.OperatorProperty switch
    {
        "In" => value is not null && (r.Values ?? []).Contains(value),
        "NotIn" => value is null || !(r.Values ?? []).Contains(value),
        "Exists" => value is not null,
        "DoesNotExist" => value is null,
        "Gt" => long.TryParse(value, out var a) && long.TryParse(r.Values?.FirstOrDefault(), out var b) && a > b,
        "Lt" => long.TryParse(value, out var c) && long.TryParse(r.Values?.FirstOrDefault(), out var d) && c < d,
        _ => false,
    };
}

using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using k8s.Models;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// One cluster's objects as a pass knows them: read once at its start (the MySQLCluster, its Services, PVCs and member
/// pods, the members' bound addresses), then handed from step to step; a step that changes members (places them, binds
/// an address, learns MGR states) passes the next steps an updated copy through <see cref="PassContext.Update"/>.
/// </summary>
internal sealed record ClusterSnapshot(
    JsonObject Cluster,
    ClusterSpec Spec,
    IReadOnlyList<V1Service> Services,
    IReadOnlyDictionary<string, V1PersistentVolumeClaim> Pvcs,
    IReadOnlyDictionary<int, V1Pod> Pods,
    IReadOnlyDictionary<int, IPAddress> Addresses)
{
    /// <summary>
    /// The ordinals below spec.members that had no pod when the pass read the cluster. Kept as read (placement does not
    /// change it): the steps that judge a whole group (primary host, rolling restart) wait for a pass that starts whole.
    /// </summary>
    public IReadOnlyList<int> MissingAtRead { get; init; } = Enumerable.Range(0, Spec.Members).Where(i => !Pods.ContainsKey(i)).ToList();

    /// <summary>MEMBER_STATE per member pod as the primary tracker last reported it (empty until the track step ran).</summary>
    public IReadOnlyDictionary<string, string> States { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether every ordinal below spec.members has an address.</summary>
    public bool AllBound => Enumerable.Range(0, Spec.Members).All(Addresses.ContainsKey);

    /// <summary>This cluster's member pods by ordinal: same namespace, cdd.io/cluster label, a member name. Extra pods (other clusters, other names) are left out.</summary>
    public static Dictionary<int, V1Pod> OwnPods(IEnumerable<V1Pod> pods, ClusterSpec spec)
    {
        var own = new Dictionary<int, V1Pod>();
        foreach (var p in pods)
        {
            if (p.Metadata.NamespaceProperty != spec.Namespace || MemberNames.Value(p.Metadata.Labels, MemberNames.ClusterLabel) != spec.Name) continue;
            if (MemberNames.Ordinal(spec.Name, p.Metadata.Name) is { } i) own[i] = p;
        }
        return own;
    }
}

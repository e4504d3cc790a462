using Cdd.Operator.Placement;

namespace Cdd.Operator.Extender;

/// <summary>
/// What one filter or prioritize call is judged against: the planner over the nodes and the members already running,
/// and the clusters whose pods are scheduled. Read-only, so concurrent calls may share one.
/// </summary>
internal interface IPlacementSnapshot
{
    Planner Planner { get; }

    /// <summary>The request of the cluster a pod in <paramref name="podNamespace"/> names with its cluster label.</summary>
    ClusterLookup Cluster(string podNamespace, string clusterName);

    /// <summary>Why a node the scheduler proposes is not in <see cref="Planner"/>.</summary>
    string Absent(string node);
}

/// <summary>A cluster's request, or why there is none (unknown, invalid spec), worded to follow "pod ns/name: ".</summary>
internal readonly record struct ClusterLookup(ClusterRequest? Request, string? Problem)
{
    public static ClusterLookup Found(ClusterRequest request) => new(request, null);
    public static ClusterLookup Missing(string problem) => new(null, problem);
}

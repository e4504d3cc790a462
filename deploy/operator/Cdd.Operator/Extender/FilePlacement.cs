using Cdd.Operator.Placement;
using Cdd.Operator.Plan;

namespace Cdd.Operator.Extender;

/// <summary>
/// The fixed inventory and cluster list of <c>plan</c> (nodes.yaml, clusters.yaml). The files know clusters by name
/// only, so a pod's namespace plays no part here. A fixed snapshot is its own source.
/// </summary>
internal sealed class FilePlacement : IPlacementSnapshot, IPlacementSource
{
    private readonly Dictionary<string, ClusterRequest> _clusters;

    public FilePlacement(Planner planner, IEnumerable<ClusterRequest> clusters)
    {
        Planner = planner;
        _clusters = clusters.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>Throws <see cref="PlanInputException"/> naming every problem in the files.</summary>
    public static FilePlacement Load(string inventoryPath, string clustersPath)
    {
        var input = PlanInput.Load(inventoryPath, clustersPath);
        return new FilePlacement(new Planner(input.Nodes, input.Members), input.Clusters);
    }

    public Planner Planner { get; }

    public ClusterLookup Cluster(string podNamespace, string clusterName) =>
        _clusters.TryGetValue(clusterName, out var r) ? ClusterLookup.Found(r) : ClusterLookup.Missing($"cluster \"{clusterName}\" is unknown to cdd-operator");

    public string Absent(string node) => "not in the cdd-operator inventory";

    public ValueTask<IPlacementSnapshot> CurrentAsync(CancellationToken ct) => ValueTask.FromResult<IPlacementSnapshot>(this);
}

using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Placement;
using Cdd.Operator.Placement.Live;
using k8s.Models;

namespace Cdd.Operator.Extender;

/// <summary>
/// The placement inputs as the API server held them at one moment: the planner over the Node objects and the bound
/// member pods (<see cref="LiveInventory"/>, the reconciler's own view), and every MySQLCluster's request under its key
/// namespace/name, so same-named clusters in two namespaces stay apart. The pod being scheduled is not bound yet, so it
/// is no member of any node.
/// </summary>
internal sealed class LivePlacementSnapshot : IPlacementSnapshot
{
    private readonly Dictionary<string, ClusterLookup> _clusters;
    private readonly Dictionary<string, string> _skipped;

    private LivePlacementSnapshot(Planner planner, Dictionary<string, ClusterLookup> clusters, Dictionary<string, string> skipped)
    {
        Planner = planner;
        _clusters = clusters;
        _skipped = skipped;
    }

    /// <summary>Throws <see cref="InventoryUnavailableException"/> when the node inventory is unusable as a whole.</summary>
    public static LivePlacementSnapshot Build(IList<V1Node> nodes, IList<V1Pod> memberPods, IEnumerable<JsonObject> mysqlClusters)
    {
        var (planner, failure) = LiveInventory.Planner(nodes, memberPods);
        if (planner is null) throw new InventoryUnavailableException(failure ?? "node inventory unusable");
        // NodeInventoryReader skips these two kinds of node; the scheduler still proposes them, so say which.
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in nodes)
            if (!planner.Contains(n.Metadata.Name))
                skipped[n.Metadata.Name] = n.Spec?.Unschedulable == true
                    ? "node is unschedulable (cordoned)"
                    : "node has no usable status.allocatable cpu and memory";
        var clusters = new Dictionary<string, ClusterLookup>(StringComparer.Ordinal);
        foreach (var c in mysqlClusters)
        {
            if (c["metadata"]?["namespace"]?.GetValue<string>() is not { } ns || c["metadata"]?["name"]?.GetValue<string>() is not { } name) continue;
            try
            {
                clusters[$"{ns}/{name}"] = ClusterLookup.Found(ClusterSpec.Parse(c).Request);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                clusters[$"{ns}/{name}"] = ClusterLookup.Missing($"MySQLCluster {ns}/{name} is invalid: {e.Message}");
            }
        }
        return new LivePlacementSnapshot(planner, clusters, skipped);
    }

    public Planner Planner { get; }

    public ClusterLookup Cluster(string podNamespace, string clusterName) =>
        _clusters.TryGetValue($"{podNamespace}/{clusterName}", out var found) ? found
            : ClusterLookup.Missing($"MySQLCluster {podNamespace}/{clusterName} does not exist");

    public string Absent(string node) => _skipped.GetValueOrDefault(node) ?? "no such Node in the cdd-operator inventory";
}

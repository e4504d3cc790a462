using System.Text.Json.Nodes;
using Cdd.Operator.Placement.Live;
using Cdd.Testing.Kube;

namespace Cdd.Testing.Operator;

/// <summary>The Kubernetes objects the operator's tests put into the in-process API server, written once.</summary>
static class OperatorObjects
{
    static KubeRoute Nodes(string? name = null, string? sub = null) => new("", "v1", "nodes", "", name, sub);

    /// <summary>A Node as the operator reads it (zone label, storage and pressure annotations), with allocatable in its status.</summary>
    public static void AddNode(FakeKubeApiServer server, string name, string zone = "z1", string cpu = "16", string memory = "64Gi",
        string storage = "local-lvm=2Ti", string? pressure = null, bool unschedulable = false, IReadOnlyDictionary<string, string>? labels = null)
    {
        var nodeLabels = new JsonObject { [NodeInventoryReader.ZoneLabel] = zone, ["kubernetes.io/hostname"] = name };
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) nodeLabels[k] = v;
        var annotations = new JsonObject { [NodeInventoryReader.StorageAnnotation] = storage };
        if (pressure is not null) annotations[NodeInventoryReader.PressureAnnotation] = pressure;
        var node = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = nodeLabels, ["annotations"] = annotations },
        };
        if (unschedulable) node["spec"] = new JsonObject { ["unschedulable"] = true };
        server.Store.Create(Nodes(), node);
        var stored = server.Store.Get(Nodes(name));
        stored["status"] = new JsonObject { ["allocatable"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } };
        server.Store.Update(Nodes(name, "status"), stored);
    }

    /// <summary>A MySQLCluster on the overlay, local-lvm 100Gi, 8Gi per member, MySQL 8.4.</summary>
    public static JsonObject Cluster(string name, int members, string cpu = "2", string pool = "db-pool") => new()
    {
        ["apiVersion"] = "cdd.io/v1",
        ["kind"] = "MySQLCluster",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["members"] = members,
            ["mysql"] = new JsonObject { ["image"] = "mysql:8.4", ["version"] = "8.4" },
            ["network"] = new JsonObject { ["mode"] = "overlay", ["pool"] = pool },
            ["storage"] = new JsonObject { ["class"] = "local-lvm", ["size"] = "100Gi" },
            ["resources"] = new JsonObject { ["cpu"] = cpu, ["memory"] = "8Gi" },
        },
    };
}

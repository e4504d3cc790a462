using System.Globalization;
using Cdd.Operator.Model;
using k8s.Models;

namespace Cdd.Operator.Placement.Live;

/// <summary>
/// A Node object as the placement engine's <see cref="NodeInventory"/>. Kept deliberately simple (the node agents or an
/// admin keep these current):
/// <list type="bullet">
/// <item>zone: label <c>topology.kubernetes.io/zone</c> (empty when absent);</item>
/// <item>allocatable: <c>status.allocatable</c> cpu and memory (a node without them is skipped);</item>
/// <item>network: annotation <c>cdd.io/sriov-free-vfs</c> (integer, default 0), label <c>cdd.io/macvlan-master</c>
///   (<c>"true"</c> when a MacVLAN master is present), label <c>cdd.io/overlay</c> (on the overlay unless <c>"false"</c>);</item>
/// <item>storage: annotation <c>cdd.io/storage</c> = <c>class=free[,class=free…]</c> with Kubernetes quantities, e.g.
///   <c>local-lvm=500Gi,san=2Ti</c>;</item>
/// <item>pressure: annotation <c>cdd.io/pressure</c> = <c>cpu=0.3,memory=0.5,network=0.1,disk=0.2</c> (missing = 0);</item>
/// <item>MySQL requests: the sum of the requests of the member pods (label <c>cdd.io/cluster</c>) bound to the node.</item>
/// <item>unschedulable nodes (<c>spec.unschedulable</c>) are skipped.</item>
/// </list>
/// </summary>
internal static class NodeInventoryReader
{
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string SriovAnnotation = "cdd.io/sriov-free-vfs";
    public const string MacvlanLabel = "cdd.io/macvlan-master";
    public const string OverlayLabel = "cdd.io/overlay";
    public const string StorageAnnotation = "cdd.io/storage";
    public const string PressureAnnotation = "cdd.io/pressure";

    /// <summary>Null for a node placement must not use (unschedulable, no allocatable figures, unreadable annotations).</summary>
    public static NodeInventory? Read(V1Node node, long mysqlCpuMillis, long mysqlMemoryBytes)
    {
        if (node.Spec?.Unschedulable == true) return null;
        var alloc = node.Status?.Allocatable;
        if (alloc is null || !alloc.TryGetValue("cpu", out var cpuQ) || !alloc.TryGetValue("memory", out var memQ)) return null;
        if (Quantity.CpuMillis(cpuQ.ToString()) is not { } cpu || Quantity.Bytes(memQ.ToString()) is not { } mem) return null;
        var labels = node.Metadata.Labels;
        var ann = node.Metadata.Annotations;
        int vfs = MemberNames.Value(ann, SriovAnnotation) is { } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var network = new NodeNetwork(vfs,
            MemberNames.Value(labels, MacvlanLabel) == "true",
            MemberNames.Value(labels, OverlayLabel) != "false");
        var storage = new List<StorageCapacity>();
        foreach (var (k, val) in Pairs(MemberNames.Value(ann, StorageAnnotation)))
            if (Quantity.Bytes(val) is { } free) storage.Add(new StorageCapacity(k, free));
        var p = Pairs(MemberNames.Value(ann, PressureAnnotation)).ToDictionary(x => x.Key, x => double.TryParse(x.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : 0);
        var pressure = new Pressure(p.GetValueOrDefault("cpu"), p.GetValueOrDefault("memory"), p.GetValueOrDefault("network"), p.GetValueOrDefault("disk"));
        return new NodeInventory(node.Metadata.Name, MemberNames.Value(labels, ZoneLabel) ?? "", cpu, mem, mysqlCpuMillis, mysqlMemoryBytes, network, storage, pressure);
    }

    static IEnumerable<KeyValuePair<string, string>> Pairs(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(kv => kv.Length == 2 && kv[0].Length > 0)
            .Select(kv => KeyValuePair.Create(kv[0], kv[1]));
}

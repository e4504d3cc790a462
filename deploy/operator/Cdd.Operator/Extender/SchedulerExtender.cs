using System.Text.Json.Nodes;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Extender;

/// <summary>
/// The placement engine's filter and score served to kube-scheduler, over one <see cref="IPlacementSnapshot"/> (the
/// files, or the API server as read for this call). Pure: no I/O. A pod names its cluster with the label
/// <see cref="ClusterLabel"/>; the snapshot resolves it in the pod's namespace. A pod without the label, or of a
/// cluster the snapshot does not know or cannot use, is an error for the scheduler to report: the
/// KubeSchedulerConfiguration's managedResources should send only MySQL pods here.
/// </summary>
internal sealed class SchedulerExtender(IPlacementSnapshot snapshot)
{
    public const string ClusterLabel = "cdd.io/cluster";

    /// <summary>kube-scheduler's MaxExtenderPriority: extender scores run 0..10 and are multiplied by the weight.</summary>
    public const long MaxScore = 10;

    private Planner Planner => snapshot.Planner;

    public ExtenderFilterResult Filter(ExtenderArgs args)
    {
        var result = new ExtenderFilterResult();
        if (Problem(args, out var request) is { } problem) { result.Error = problem; return result; }
        var candidates = Candidates(args);
        var passed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in candidates)
        {
            if (!Planner.Contains(name)) { result.FailedNodes[name] = snapshot.Absent(name); continue; }
            var reasons = Planner.Filter(name, request!);
            if (reasons.Count == 0) passed.Add(name);
            else result.FailedNodes[name] = string.Join("; ", reasons);
        }
        if (args.NodeNames is not null)
            result.NodeNames = args.NodeNames.Where(passed.Contains).ToList();
        else
        {
            var items = new JsonArray();
            foreach (var item in (args.Nodes!["items"] as JsonArray)!)
                if (NodeName(item) is { } n && passed.Contains(n)) items.Add(item!.DeepClone());
            var list = (JsonObject)args.Nodes!.DeepClone();
            list["items"] = items;
            result.Nodes = list;
        }
        return result;
    }

    /// <summary>
    /// 0..10 per candidate: 0 for a node that fails a filter, else 10 scaled down by the engine's cost (CPU committed
    /// against the ceiling, share of the same network mode, share of the same storage class; cost 0 → 10, 2 → 0).
    /// </summary>
    public List<HostPriority> Prioritize(ExtenderArgs args)
    {
        if (Problem(args, out var request) is { } problem) throw new ExtenderRequestException(problem);
        return Candidates(args).Select(name => new HostPriority(name,
            !Planner.Contains(name) || Planner.Filter(name, request!).Count > 0 ? 0
            : Math.Clamp((long)Math.Round(MaxScore * (1 - Planner.Cost(name, request!) / 2)), 0, MaxScore))).ToList();
    }

    private string? Problem(ExtenderArgs args, out ClusterRequest? request)
    {
        request = null;
        if (args.Pod?.Metadata is not { } meta) return "the request has no Pod";
        if (args.NodeNames is null && args.Nodes?["items"] is not JsonArray) return "the request has neither NodeNames nor Nodes.items";
        string pod = $"{meta.Namespace}/{meta.Name}";
        if (meta.Labels?.GetValueOrDefault(ClusterLabel) is not { Length: > 0 } cluster) return $"pod {pod} has no {ClusterLabel} label";
        var found = snapshot.Cluster(meta.Namespace ?? "", cluster);
        request = found.Request;
        return request is null ? $"pod {pod}: {found.Problem}" : null;
    }

    private static List<string> Candidates(ExtenderArgs args) =>
        args.NodeNames ?? ((JsonArray)args.Nodes!["items"]!).Select(NodeName).OfType<string>().ToList();

    private static string? NodeName(JsonNode? item) => item?["metadata"]?["name"]?.GetValue<string>();
}

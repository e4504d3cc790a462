using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>Whether a label selector (matchLabels and matchExpressions) selects a set of labels, as the API server decides.</summary>
public static class LabelMatch
{
    public static bool Selects(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        bool empty = (selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0;
        if (empty) return false; // an empty workload selector is refused by the API server; treat it as selecting nothing
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
            if (!labels.TryGetValue(k, out var have) || have != v) return false;
        foreach (var e in selector.MatchExpressions ?? [])
        {
            bool has = labels.TryGetValue(e.Key, out var value);
            bool ok = e.OperatorProperty switch
            {
                "In" => has && e.Values.Contains(value!),
                "NotIn" => !has || !e.Values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => throw new InvalidOperationException($"unknown selector operator {e.OperatorProperty}"),
            };
            if (!ok) return false;
        }
        return true;
    }

    public static bool Selects(IDictionary<string, string>? serviceSelector, IDictionary<string, string>? labels) =>
        serviceSelector is { Count: > 0 } && serviceSelector.All(kv => labels is not null && labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

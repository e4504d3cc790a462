namespace Cdd.Ipam.Model;

/// <summary>
/// A Kubernetes label selector (matchLabels and matchExpressions, ANDed). An empty selector matches everything;
/// a missing one (null where it is used) also means "no restriction".
/// </summary>
public sealed record LabelSelector(IReadOnlyDictionary<string, string> MatchLabels, IReadOnlyList<LabelRequirement> MatchExpressions)
{
    public static LabelSelector Everything { get; } = new(new Dictionary<string, string>(), []);

    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        MatchLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value) && MatchExpressions.All(r => r.Matches(labels));

    public override string ToString() =>
        string.Join(",", MatchLabels.Select(kv => $"{kv.Key}={kv.Value}").Concat(MatchExpressions.Select(r => r.ToString())));
}

public enum LabelOperator { In, NotIn, Exists, DoesNotExist }

public sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        bool has = labels.TryGetValue(Key, out var v);
        return Operator switch
        {
            LabelOperator.In => has && Values.Contains(v!),
            LabelOperator.NotIn => !has || !Values.Contains(v!),
            LabelOperator.Exists => has,
            LabelOperator.DoesNotExist => !has,
            _ => false,
        };
    }

    public override string ToString() => Operator switch
    {
        LabelOperator.Exists => Key,
        LabelOperator.DoesNotExist => "!" + Key,
        _ => $"{Key} {(Operator == LabelOperator.In ? "in" : "notin")} ({string.Join(",", Values)})",
    };
}

using System.Text.Json.Nodes;

namespace Cdd.Testing.Kube;

/// <summary>The equality-based label selector grammar: "k=v", "k==v", "k!=v", "k", "!k", comma-separated (all must hold).</summary>
public sealed class LabelSelector
{
    readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _terms = [];

    public static LabelSelector Parse(string? text)
    {
        var s = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text)) return s;
        foreach (var raw in text.Split(','))
        {
            string term = raw.Trim();
            int ne = term.IndexOf("!=", StringComparison.Ordinal);
            int eq = term.IndexOf('=');
            if (ne > 0)
            {
                string k = term[..ne], v = term[(ne + 2)..];
                s._terms.Add(l => !l.TryGetValue(k, out var x) || x != v);
            }
            else if (eq > 0)
            {
                string k = term[..eq], v = term[(eq + (term.Length > eq + 1 && term[eq + 1] == '=' ? 2 : 1))..];
                s._terms.Add(l => l.TryGetValue(k, out var x) && x == v);
            }
            else if (term.StartsWith('!'))
            {
                string k = term[1..];
                s._terms.Add(l => !l.ContainsKey(k));
            }
            else if (term.Length > 0)
            {
                s._terms.Add(l => l.ContainsKey(term));
            }
            else throw new FormatException($"empty term in label selector \"{text}\"");
        }
        return s;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = new Dictionary<string, string>();
        if (obj["metadata"]?["labels"] is JsonObject l)
            foreach (var (k, v) in l) labels[k] = v?.GetValue<string>() ?? "";
        return _terms.All(t => t(labels));
    }
}

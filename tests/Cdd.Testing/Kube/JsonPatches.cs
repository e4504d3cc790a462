using System.Text.Json.Nodes;

namespace Cdd.Testing.Kube;

/// <summary>The two patch formats the API server takes for every kind: JSON merge patch (RFC 7386) and JSON patch (RFC 6902).</summary>
public static class JsonPatches
{
    public const string MergePatch = "application/merge-patch+json";
    public const string JsonPatch = "application/json-patch+json";

    /// <summary>RFC 7386: objects merge key by key, null deletes, anything else replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p) return patch?.DeepClone();
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null) result.Remove(key);
            else result[key] = Merge(result[key], value);
        }
        return result;
    }

    /// <summary>RFC 6902 add, remove, replace, test (move and copy are not needed by any client here: 422).</summary>
    public static JsonObject Apply(JsonObject target, JsonArray ops)
    {
        var doc = (JsonObject)target.DeepClone();
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i] as JsonObject ?? throw KubeError.Invalid($"patch[{i}] is not an object");
            string kind = op["op"]?.GetValue<string>() ?? throw KubeError.Invalid($"patch[{i}].op is required");
            string path = op["path"]?.GetValue<string>() ?? throw KubeError.Invalid($"patch[{i}].path is required");
            var (parent, last) = Locate(doc, path, i);
            switch (kind)
            {
                case "add":
                    Set(parent, last, op["value"]?.DeepClone(), insert: true, i);
                    break;
                case "replace":
                    if (Get(parent, last) is null && !Has(parent, last)) throw KubeError.Invalid($"patch[{i}]: {path} does not exist");
                    Set(parent, last, op["value"]?.DeepClone(), insert: false, i);
                    break;
                case "remove":
                    if (!Has(parent, last)) throw KubeError.Invalid($"patch[{i}]: {path} does not exist");
                    if (parent is JsonObject o) o.Remove(last);
                    else ((JsonArray)parent).RemoveAt(Index(last, ((JsonArray)parent).Count - 1, i));
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(parent, last), op["value"])) throw KubeError.Invalid($"patch[{i}]: test of {path} failed");
                    break;
                default:
                    throw KubeError.Invalid($"patch[{i}].op \"{kind}\" is not supported");
            }
        }
        return doc;
    }

    static (JsonNode Parent, string Last) Locate(JsonObject doc, string path, int i)
    {
        if (!path.StartsWith('/')) throw KubeError.Invalid($"patch[{i}].path \"{path}\" is not a JSON pointer");
        var parts = path[1..].Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")).ToArray();
        JsonNode node = doc;
        foreach (var part in parts[..^1])
            node = (node is JsonArray a ? a[Index(part, a.Count - 1, i)] : ((JsonObject)node)[part])
                ?? throw KubeError.Invalid($"patch[{i}]: {path}: \"{part}\" does not exist");
        return (node, parts[^1]);
    }

    static bool Has(JsonNode parent, string last) => parent is JsonObject o ? o.ContainsKey(last) : int.TryParse(last, out int n) && n >= 0 && n < ((JsonArray)parent).Count;

    static JsonNode? Get(JsonNode parent, string last) => parent is JsonObject o ? o[last] : Has(parent, last) ? ((JsonArray)parent)[int.Parse(last)] : null;

    static void Set(JsonNode parent, string last, JsonNode? value, bool insert, int i)
    {
        if (parent is JsonObject o)
        {
            o[last] = value;
            return;
        }
        var a = (JsonArray)parent;
        if (insert && last == "-") a.Add(value);
        else if (insert) a.Insert(Index(last, a.Count, i), value);
        else a[Index(last, a.Count - 1, i)] = value;
    }

    static int Index(string s, int max, int i) =>
        int.TryParse(s, out int n) && n >= 0 && n <= max ? n : throw KubeError.Invalid($"patch[{i}]: index \"{s}\" is out of range");
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cdd.Operator.Extender;

// The kube-scheduler extender wire types (k8s.io/kube-scheduler/extender/v1). The Go structs carry no json tags, so
// their fields travel with Go's capitalised names; the Pod and Node objects inside are ordinary API objects
// (camelCase). Nodes are kept as raw JSON: a filter answer hands the passing Node objects back unchanged.

internal sealed class ExtenderArgs
{
    [JsonPropertyName("Pod")] public PodObject? Pod { get; set; }
    /// <summary>Filled when the extender is not nodeCacheCapable: a v1.NodeList.</summary>
    [JsonPropertyName("Nodes")] public JsonObject? Nodes { get; set; }
    /// <summary>Filled when the extender is nodeCacheCapable.</summary>
    [JsonPropertyName("NodeNames")] public List<string>? NodeNames { get; set; }
}

internal sealed class ExtenderFilterResult
{
    [JsonPropertyName("Nodes")] public JsonObject? Nodes { get; set; }
    [JsonPropertyName("NodeNames")] public List<string>? NodeNames { get; set; }
    [JsonPropertyName("FailedNodes")] public Dictionary<string, string> FailedNodes { get; set; } = [];
    [JsonPropertyName("FailedAndUnresolvableNodes")] public Dictionary<string, string> FailedAndUnresolvableNodes { get; set; } = [];
    [JsonPropertyName("Error")] public string Error { get; set; } = "";
}

internal sealed record HostPriority([property: JsonPropertyName("Host")] string Host, [property: JsonPropertyName("Score")] long Score);

internal sealed class PodObject
{
    [JsonPropertyName("metadata")] public ObjectMeta? Metadata { get; set; }
}

internal sealed class ObjectMeta
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
}

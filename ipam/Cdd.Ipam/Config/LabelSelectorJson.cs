using System.Text.Json.Serialization;

namespace Cdd.Ipam.Config;

/// <summary>metav1.LabelSelector as written in an IPPool spec.</summary>
public sealed class LabelSelectorJson
{
    [JsonPropertyName("matchLabels")] public Dictionary<string, string?>? MatchLabels { get; set; }
    [JsonPropertyName("matchExpressions")] public List<LabelRequirementJson?>? MatchExpressions { get; set; }
}

public sealed class LabelRequirementJson
{
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("operator")] public string? Operator { get; set; }
    [JsonPropertyName("values")] public List<string?>? Values { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Ipam.Config;

public sealed class RangeJson
{
    [JsonPropertyName("start")] public string? Start { get; set; }
    [JsonPropertyName("end")] public string? End { get; set; }
}

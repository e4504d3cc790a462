using System.Text.Json.Serialization;

namespace Cdd.Ipam.Config;

public sealed class SegmentJson
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("subnet")] public string? Subnet { get; set; }
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    [JsonPropertyName("vlan")] public int? Vlan { get; set; }
    [JsonPropertyName("ranges")] public List<RangeJson?>? Ranges { get; set; }
    [JsonPropertyName("exclude")] public List<string?>? Exclude { get; set; }
    [JsonPropertyName("routes")] public List<RouteSpecJson?>? Routes { get; set; }
    [JsonPropertyName("nodeSelector")] public Dictionary<string, string?>? NodeSelector { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Ipam.Config;

public sealed class RouteSpecJson
{
    [JsonPropertyName("dst")] public string? Dst { get; set; }
    [JsonPropertyName("gw")] public string? Gw { get; set; }
}

using System.Text.Json.Serialization;

namespace Cdd.Cni.Macvlan;

/// <summary>The macvlan mode's fields of the network config, as on the wire.</summary>
internal sealed class MacvlanConf
{
    [JsonPropertyName("master")] public string? Master { get; set; }
    [JsonPropertyName("macvlanMode")] public string? MacvlanMode { get; set; }
}

using System.Text.Json.Serialization;
using Cdd.Ipam.Config;

namespace Cdd.Ipam.Files;

public sealed class PoolsFileJson
{
    [JsonPropertyName("pools")] public List<PoolJson?>? Pools { get; set; }
}

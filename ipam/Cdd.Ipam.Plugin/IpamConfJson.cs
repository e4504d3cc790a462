using System.Text.Json.Serialization;
using Cdd.Ipam.Config;

namespace Cdd.Ipam.Plugin;

/// <summary>The "ipam" section of the network config.</summary>
internal sealed class IpamConfJson
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>"file": the embedded store under dataDir.</summary>
    [JsonPropertyName("store")] public string? Store { get; set; }
    [JsonPropertyName("dataDir")] public string? DataDir { get; set; }
    [JsonPropertyName("pool")] public PoolJson? Pool { get; set; }
    [JsonPropertyName("node")] public NodeJson? Node { get; set; }
    /// <summary>StatefulSets whose members (pods named SET-ORDINAL) keep their address for life.</summary>
    [JsonPropertyName("fixedStatefulSets")] public List<string?>? FixedStatefulSets { get; set; }
}

/// <summary>This node as the file store knows it (with Kubernetes, the agent reads the Node object instead).</summary>
internal sealed class NodeJson
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("labels")] public Dictionary<string, string?>? Labels { get; set; }
    [JsonPropertyName("trunkVlans")] public List<int>? TrunkVlans { get; set; }
}

/// <summary>Only the ipam section of the whole config: everything else is the main plugin's.</summary>
internal sealed class IpamEnvelopeJson
{
    [JsonPropertyName("ipam")] public IpamConfJson? Ipam { get; set; }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Model;

/// <summary>
/// A MySQLCluster's spec as the reconciler needs it, read from the object's JSON (the CRD's schema has validated the
/// shape; this still refuses what it cannot use, with the field's path).
/// </summary>
internal sealed record ClusterSpec(
    string Namespace,
    string Name,
    string Uid,
    int Members,
    string Image,
    NetworkMode Mode,
    string Pool,
    string StorageClass,
    string StorageSize,
    string Cpu,
    string Memory,
    ClusterRequest Request,
    IReadOnlyList<int> Weights,
    string CredentialsSecret)
{
    /// <summary>The placement key of the cluster: namespace/name, so clusters of one name in two namespaces differ.</summary>
    public string Key => $"{Namespace}/{Name}";

    /// <summary>group_replication_member_weight of member <paramref name="ordinal"/>, null when the spec leaves it to MGR (50).</summary>
    public int? Weight(int ordinal) => ordinal < Weights.Count ? Weights[ordinal] : null;

    /// <summary>Keys of the credentials Secret: the account the operator reads replication_group_members and promotes with.</summary>
    public const string UsernameKey = "username", PasswordKey = "password";

    public static ClusterSpec Parse(JsonObject cluster)
    {
        var meta = cluster["metadata"] as JsonObject ?? throw new FormatException("metadata is missing");
        string ns = Str(meta, "namespace", "metadata"), name = Str(meta, "name", "metadata"), uid = Str(meta, "uid", "metadata");
        var spec = cluster["spec"] as JsonObject ?? throw new FormatException("spec is missing");
        double m = Number(spec["members"], "spec.members") ?? throw new FormatException("spec.members is missing");
        int members = m == Math.Floor(m) && m is >= 0 and <= 100 ? (int)m : -1;
        if (!ClusterRequest.AllowedMembers.Contains(members)) throw new FormatException($"spec.members: {m.ToString(CultureInfo.InvariantCulture)} is not 1, 3, 5, 7 or 9");
        var mysql = spec["mysql"] as JsonObject;
        string image = Str(mysql, "image", "spec.mysql");
        var weights = new List<int>();
        if (mysql?["memberWeights"] is { } wn)
        {
            if (wn is not JsonArray wa) throw new FormatException($"spec.mysql.memberWeights: {wn.ToJsonString()} is not a list");
            if (wa.Count > members) throw new FormatException($"spec.mysql.memberWeights: {wa.Count} weights for {members} members");
            for (int i = 0; i < wa.Count; i++)
            {
                double w = Number(wa[i], $"spec.mysql.memberWeights[{i}]") ?? throw new FormatException($"spec.mysql.memberWeights[{i}] is null");
                if (w != Math.Floor(w) || w is < 0 or > 100) throw new FormatException($"spec.mysql.memberWeights[{i}]: {w.ToString(CultureInfo.InvariantCulture)} is not an integer from 0 to 100");
                weights.Add((int)w);
            }
        }
        string credentials = mysql?["credentialsSecret"] is null ? $"{name}-credentials" : Str(mysql, "credentialsSecret", "spec.mysql");
        var net = spec["network"] as JsonObject;
        string modeText = Str(net, "mode", "spec.network");
        NetworkMode mode = modeText switch
        {
            "sriov" => NetworkMode.Sriov,
            "macvlan" => NetworkMode.Macvlan,
            "overlay" => NetworkMode.Overlay,
            _ => throw new FormatException($"spec.network.mode: \"{modeText}\" is not sriov, macvlan or overlay"),
        };
        string pool = Str(net, "pool", "spec.network");
        var storage = spec["storage"] as JsonObject;
        string cls = Str(storage, "class", "spec.storage"), size = IntOrString(storage, "size", "spec.storage");
        var res = spec["resources"] as JsonObject;
        string cpu = IntOrString(res, "cpu", "spec.resources"), memory = IntOrString(res, "memory", "spec.resources");
        long sizeBytes = Quantity.Bytes(size) ?? throw new FormatException($"spec.storage.size: \"{size}\" is not a byte quantity");
        long cpuMillis = Quantity.CpuMillis(cpu) ?? throw new FormatException($"spec.resources.cpu: \"{cpu}\" is not a CPU quantity");
        long memBytes = Quantity.Bytes(memory) ?? throw new FormatException($"spec.resources.memory: \"{memory}\" is not a byte quantity");
        var zones = (spec["zones"] as JsonArray)?.Select(z => z!.GetValue<string>()).ToList() ?? [];
        var over = spec["overCommit"] as JsonObject;
        double ceiling = Number(over?["cpuCeiling"], "spec.overCommit.cpuCeiling") ?? ClusterRequest.DefaultOverCommitCeiling;
        var b = over?["breakers"] as JsonObject;
        var d = BreakerThresholds.Default;
        var breakers = new BreakerThresholds(
            Number(b?["cpu"], "spec.overCommit.breakers.cpu") ?? d.Cpu, Number(b?["memory"], "spec.overCommit.breakers.memory") ?? d.Memory,
            Number(b?["network"], "spec.overCommit.breakers.network") ?? d.Network, Number(b?["disk"], "spec.overCommit.breakers.disk") ?? d.Disk);
        var request = new ClusterRequest($"{ns}/{name}", members, mode, cls, sizeBytes, cpuMillis, memBytes, zones, ceiling, breakers);
        return new ClusterSpec(ns, name, uid, members, image, mode, pool, cls, size, cpu, memory, request, weights, credentials);
    }

    /// <summary>A JSON number however the node holds it (parsed from the wire or built in code); null when absent.</summary>
    static double? Number(JsonNode? n, string path) => n switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture),
        _ => throw new FormatException($"{path}: {n.ToJsonString()} is not a number"),
    };

    static string Str(JsonObject? o, string field, string path) =>
        o?[field] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : throw new FormatException($"{path}.{field} is missing");

    static string IntOrString(JsonObject? o, string field, string path) => o?[field] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw new FormatException($"{path}.{field} is missing"),
    };
}

using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Ipam.Config;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Plugin;

/// <summary>The validated ipam section. Every refusal is CNI code 7 and names the field as ipam.FIELD.</summary>
internal sealed record IpamSettings(IpPool Pool, string DataDir, NodeView Node, IReadOnlyList<string> FixedStatefulSets)
{
    public const string DefaultDataDir = "/var/lib/cni/cdd-ipam";

    public static IpamSettings Parse(ReadOnlySpan<byte> config, IReadOnlyDictionary<string, string?> env)
    {
        IpamConfJson? ipam;
        try
        {
            ipam = JsonSerializer.Deserialize(config, PluginJsonContext.Default.IpamEnvelopeJson)?.Ipam;
        }
        catch (JsonException ex)
        {
            throw DecodeFailure.From(ex, "network config");
        }
        if (ipam is null) throw Invalid("ipam is required");
        if (ipam.Store is not "file")
            throw Invalid(ipam.Store is null ? "ipam.store is required (\"file\")" : $"ipam.store \"{ipam.Store}\" is not supported (\"file\")");
        string dataDir = DataDirOf(ipam.DataDir ?? DefaultDataDir);

        IpPool pool;
        try
        {
            pool = PoolParser.Parse(ipam.Pool, "ipam.pool");
        }
        catch (PoolConfigException ex)
        {
            throw Invalid(ex.Message);
        }

        var sets = new List<string>();
        foreach (var (s, i) in (ipam.FixedStatefulSets ?? []).Select((s, i) => (s, i)))
            sets.Add(Names.IsDnsLabel(s) ? s! : throw Invalid($"ipam.fixedStatefulSets[{i}] \"{s}\" is not a StatefulSet name"));

        return new IpamSettings(pool, dataDir, ParseNode(ipam.Node, env), sets);
    }

    /// <summary>Folders that hold the system's own files or kernel objects: a data dir there is a mistake, never a wish.</summary>
    static readonly string[] Forbidden = ["/etc", "/proc", "/sys", "/dev", "/run/netns", "/boot", "/usr", "/bin", "/sbin", "/lib"];

    /// <summary>The data dir as the kernel resolves it (no textual ".." folding), refused where it would put files among the system's.</summary>
    static string DataDirOf(string text)
    {
        string shown = text.Replace("\0", "\\0");
        if (!text.StartsWith('/')) throw Invalid($"ipam.dataDir \"{shown}\" must be an absolute path");
        string resolved = Cdd.Native.KernelPath.Resolve(text, out string? why)
            ?? throw Invalid($"ipam.dataDir \"{shown}\" {why}");
        if (resolved == "/") throw Invalid($"ipam.dataDir \"{shown}\" resolves to /: give the store a folder of its own");
        if (Forbidden.FirstOrDefault(f => Cdd.Native.KernelPath.IsUnder(resolved, f)) is { } root)
            throw Invalid($"ipam.dataDir \"{shown}\" resolves to {resolved}, under {root}, which is no place for reservation files");
        return resolved;
    }

    static NodeView ParseNode(NodeJson? node, IReadOnlyDictionary<string, string?> env)
    {
        // Kubernetes' node name is the host name unless kubelet was told otherwise; CDD_NODE_NAME mirrors that override.
        string name = node?.Name ?? (env.TryGetValue("CDD_NODE_NAME", out var n) && !string.IsNullOrEmpty(n) ? n : Environment.MachineName);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in node?.Labels ?? [])
            labels[k] = v ?? throw Invalid($"ipam.node.labels.{k} must be a string");
        var trunk = new HashSet<int>();
        foreach (var (vlan, i) in (node?.TrunkVlans ?? []).Select((v, i) => (v, i)))
            trunk.Add(vlan is >= 1 and <= 4094 ? vlan : throw Invalid($"ipam.node.trunkVlans[{i}] {vlan} is out of range (1..4094)"));
        return new NodeView(name, labels, trunk);
    }

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

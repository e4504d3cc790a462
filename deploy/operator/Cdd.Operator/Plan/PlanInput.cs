using System.Text.RegularExpressions;
using Cdd.Operator.Placement;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cdd.Operator.Plan;

/// <summary>
/// Reads and validates nodes.yaml and clusters.yaml. Every problem is collected (not only the first) and named by file
/// and field path, e.g. "clusters.yaml: clusters[2].storage.size: \"lots\" is not a quantity".
/// </summary>
internal sealed partial class PlanInput
{
    public required IReadOnlyList<NodeInventory> Nodes { get; init; }
    public required IReadOnlyList<ExistingMember> Members { get; init; }
    public required IReadOnlyList<ClusterRequest> Clusters { get; init; }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex NodeName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    public static PlanInput Load(string inventoryPath, string clustersPath)
    {
        var errors = new List<string>();
        var inventory = Read<InventoryDocument>(inventoryPath, errors);
        var clusters = Read<ClustersDocument>(clustersPath, errors);
        if (errors.Count > 0) throw new PlanInputException(errors);
        return From(inventory!, Path.GetFileName(inventoryPath), clusters!, Path.GetFileName(clustersPath));
    }

    public static PlanInput From(InventoryDocument inventory, string inventoryFile, ClustersDocument clusters, string clustersFile)
    {
        var errors = new List<string>();
        var nodes = Nodes_(inventory, new Errors(errors, inventoryFile));
        var members = Members_(inventory, nodes, new Errors(errors, inventoryFile));
        var requests = Clusters_(clusters, new Errors(errors, clustersFile));
        if (errors.Count > 0) throw new PlanInputException(errors);
        return new PlanInput { Nodes = nodes, Members = members, Clusters = requests };
    }

    private static T? Read<T>(string path, List<string> errors) where T : class
    {
        string name = Path.GetFileName(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{path}: cannot read: {ex.Message}");
            return null;
        }
        try
        {
            var doc = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<T>(text);
            if (doc is null) errors.Add($"{name}: the file is empty");
            return doc;
        }
        catch (YamlException ex)
        {
            // YamlDotNet wraps a type mismatch; the inner message says what did not convert.
            string why = ex.InnerException is { } inner ? inner.Message : ex.Message;
            errors.Add($"{name}:{ex.Start.Line}:{ex.Start.Column}: {why}");
            return null;
        }
    }

    private sealed class Errors(List<string> all, string file)
    {
        public void Add(string path, string message) => all.Add($"{file}: {path}: {message}");

        public string? Required(string path, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) Add(path, "is required");
            return value;
        }

        public long Cpu(string path, string? text, bool required, bool positive = true)
        {
            if (text is null) { if (required) Add(path, "is required"); return 0; }
            if (Quantity.CpuMillis(text) is not { } v) { Add(path, $"\"{text}\" is not a CPU quantity (e.g. 4, 2.5, 500m)"); return 0; }
            if (positive && v <= 0) Add(path, "must be > 0");
            return v;
        }

        public long Bytes(string path, string? text, bool required, bool positive = true)
        {
            if (text is null) { if (required) Add(path, "is required"); return 0; }
            if (Quantity.Bytes(text) is not { } v) { Add(path, $"\"{text}\" is not a byte quantity (e.g. 16Gi, 500G, 1024)"); return 0; }
            if (positive && v <= 0) Add(path, "must be > 0");
            return v;
        }

        public double Fraction(string path, double? value, double fallback, bool zeroAllowed)
        {
            if (value is not { } v) return fallback;
            if (!double.IsFinite(v) || v < 0 || (!zeroAllowed && v == 0) || v > (zeroAllowed ? 10 : 1))
                Add(path, zeroAllowed ? $"{v} must be a fraction in [0, 10] (1 = saturated)" : $"{v} must be in (0, 1]");
            return v;
        }
    }

    private static List<NodeInventory> Nodes_(InventoryDocument doc, Errors e)
    {
        var nodes = new List<NodeInventory>();
        if (doc.Nodes is not { Count: > 0 }) { e.Add("nodes", "at least one node is required"); return nodes; }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < doc.Nodes.Count; i++)
        {
            var n = doc.Nodes[i];
            string at = $"nodes[{i}]";
            if (n is null) { e.Add(at, "is empty"); continue; }
            string name = e.Required($"{at}.name", n.Name) ?? "";
            if (name.Length > 0 && (!NodeName().IsMatch(name) || name.Length > 253)) e.Add($"{at}.name", $"\"{name}\" is not a node name (lower-case DNS subdomain)");
            if (name.Length > 0 && !seen.Add(name)) e.Add($"{at}.name", $"\"{name}\" appears twice");
            if (n.Allocatable is null) e.Add($"{at}.allocatable", "is required (cpu and memory)");
            long cpu = e.Cpu($"{at}.allocatable.cpu", n.Allocatable?.Cpu, n.Allocatable is not null);
            long mem = e.Bytes($"{at}.allocatable.memory", n.Allocatable?.Memory, n.Allocatable is not null);
            long mysqlCpu = e.Cpu($"{at}.mysqlRequests.cpu", n.MysqlRequests?.Cpu, false, positive: false);
            long mysqlMem = e.Bytes($"{at}.mysqlRequests.memory", n.MysqlRequests?.Memory, false, positive: false);
            if (n.Network is null) e.Add($"{at}.network", "is required (sriovFreeVfs, macvlanMaster, overlay)");
            int vfs = n.Network?.SriovFreeVfs ?? 0;
            if (vfs < 0) e.Add($"{at}.network.sriovFreeVfs", $"{vfs} must be ≥ 0");
            var storage = new List<StorageCapacity>();
            for (int j = 0; j < (n.Storage?.Count ?? 0); j++)
            {
                var s = n.Storage![j];
                string sat = $"{at}.storage[{j}]";
                if (s is null) { e.Add(sat, "is empty"); continue; }
                string cls = e.Required($"{sat}.class", s.Class) ?? "";
                long free = e.Bytes($"{sat}.free", s.Free, true, positive: false);
                if (storage.Any(x => x.StorageClass == cls)) e.Add($"{sat}.class", $"\"{cls}\" is listed twice");
                storage.Add(new StorageCapacity(cls, free));
            }
            var p = n.Pressure;
            var pressure = new Pressure(
                e.Fraction($"{at}.pressure.cpu", p?.Cpu, 0, true), e.Fraction($"{at}.pressure.memory", p?.Memory, 0, true),
                e.Fraction($"{at}.pressure.network", p?.Network, 0, true), e.Fraction($"{at}.pressure.disk", p?.Disk, 0, true));
            nodes.Add(new NodeInventory(name, n.Zone ?? "", cpu, mem, mysqlCpu, mysqlMem,
                new NodeNetwork(vfs, n.Network?.MacvlanMaster ?? false, n.Network?.Overlay ?? false), storage, pressure));
        }
        return nodes;
    }

    private static List<ExistingMember> Members_(InventoryDocument doc, List<NodeInventory> nodes, Errors e)
    {
        var members = new List<ExistingMember>();
        var names = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var onNode = new HashSet<(string, string)>();
        var primaries = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < (doc.Members?.Count ?? 0); i++)
        {
            var m = doc.Members![i];
            string at = $"members[{i}]";
            if (m is null) { e.Add(at, "is empty"); continue; }
            string cluster = e.Required($"{at}.cluster", m.Cluster) ?? "";
            string node = e.Required($"{at}.node", m.Node) ?? "";
            if (node.Length > 0 && !names.Contains(node)) e.Add($"{at}.node", $"\"{node}\" is not in nodes");
            if (cluster.Length > 0 && node.Length > 0 && !onNode.Add((cluster, node))) e.Add(at, $"cluster \"{cluster}\" already has a member on \"{node}\"");
            MemberRole role = m.Role switch
            {
                "PRIMARY" => MemberRole.Primary,
                "SECONDARY" => MemberRole.Secondary,
                _ => Bad(e, $"{at}.role", $"\"{m.Role}\" must be PRIMARY or SECONDARY", MemberRole.Secondary),
            };
            if (role == MemberRole.Primary && cluster.Length > 0 && !primaries.Add(cluster)) e.Add($"{at}.role", $"cluster \"{cluster}\" already has a PRIMARY");
            NetworkMode? mode = m.NetworkMode is null ? null : Mode(e, $"{at}.networkMode", m.NetworkMode);
            members.Add(new ExistingMember(cluster, node, role, mode, m.StorageClass));
        }
        return members;
    }

    private static List<ClusterRequest> Clusters_(ClustersDocument doc, Errors e)
    {
        var requests = new List<ClusterRequest>();
        if (doc.Clusters is not { Count: > 0 }) { e.Add("clusters", "at least one cluster is required"); return requests; }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < doc.Clusters.Count; i++)
        {
            var c = doc.Clusters[i];
            string at = $"clusters[{i}]";
            if (c is null) { e.Add(at, "is empty"); continue; }
            string name = e.Required($"{at}.name", c.Name) ?? "";
            if (name.Length > 0 && (!DnsLabel().IsMatch(name) || name.Length > 63)) e.Add($"{at}.name", $"\"{name}\" is not a DNS label (lower-case, digits, '-', at most 63)");
            if (name.Length > 0 && !seen.Add(name)) e.Add($"{at}.name", $"\"{name}\" appears twice");
            int members = c.Members ?? 0;
            if (c.Members is null) e.Add($"{at}.members", "is required (1, 3, 5, 7 or 9)");
            else if (!ClusterRequest.AllowedMembers.Contains(members)) e.Add($"{at}.members", $"{members} must be 1, 3, 5, 7 or 9");
            var mode = c.NetworkMode is null ? Bad(e, $"{at}.networkMode", "is required (sriov, macvlan or overlay)", NetworkMode.Overlay) : Mode(e, $"{at}.networkMode", c.NetworkMode);
            if (c.Storage is null) e.Add($"{at}.storage", "is required (class and size)");
            string cls = c.Storage is null ? "" : e.Required($"{at}.storage.class", c.Storage.Class) ?? "";
            long size = e.Bytes($"{at}.storage.size", c.Storage?.Size, c.Storage is not null);
            if (c.Resources is null) e.Add($"{at}.resources", "is required (cpu and memory)");
            long cpu = e.Cpu($"{at}.resources.cpu", c.Resources?.Cpu, c.Resources is not null);
            long mem = e.Bytes($"{at}.resources.memory", c.Resources?.Memory, c.Resources is not null);
            var zones = c.Zones ?? [];
            for (int z = 0; z < zones.Count; z++)
                if (string.IsNullOrWhiteSpace(zones[z])) e.Add($"{at}.zones[{z}]", "is empty");
            double ceiling = c.OverCommit ?? ClusterRequest.DefaultOverCommitCeiling;
            if (!double.IsFinite(ceiling) || ceiling <= 0 || ceiling > 10) e.Add($"{at}.overCommit", $"{ceiling} must be in (0, 10] (1.5 = 150 % of allocatable CPU)");
            var d = BreakerThresholds.Default;
            var b = c.Breakers;
            var breakers = new BreakerThresholds(
                e.Fraction($"{at}.breakers.cpu", b?.Cpu, d.Cpu, false), e.Fraction($"{at}.breakers.memory", b?.Memory, d.Memory, false),
                e.Fraction($"{at}.breakers.network", b?.Network, d.Network, false), e.Fraction($"{at}.breakers.disk", b?.Disk, d.Disk, false));
            requests.Add(new ClusterRequest(name, members, mode, cls, size, cpu, mem, zones, ceiling, breakers));
        }
        return requests;
    }

    private static NetworkMode Mode(Errors e, string path, string text) => text switch
    {
        "sriov" => NetworkMode.Sriov,
        "macvlan" => NetworkMode.Macvlan,
        "overlay" => NetworkMode.Overlay,
        _ => Bad(e, path, $"\"{text}\" must be sriov, macvlan or overlay", NetworkMode.Overlay),
    };

    private static T Bad<T>(Errors e, string path, string message, T fallback)
    {
        e.Add(path, message);
        return fallback;
    }
}

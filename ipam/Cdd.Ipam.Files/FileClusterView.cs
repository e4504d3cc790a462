using System.Text.Json;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Config;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Files;

/// <summary>
/// A node without Kubernetes: pools from a JSON file (<c>{"pools": [POOL, ...]}</c>, each in the IPPool spec's shape),
/// this node's labels and trunk VLANs from the command line, no pods (so no admission by selector, no leak
/// collection: CNI GC does that job), status written beside the reservations as DATADIR/POOL/status.json.
/// </summary>
public sealed class FileClusterView : IClusterView
{
    readonly Dictionary<string, IpPool> _pools;
    readonly NodeView _node;
    readonly string _dataDir;

    public FileClusterView(IReadOnlyList<IpPool> pools, NodeView node, string dataDir)
    {
        _pools = pools.ToDictionary(p => p.Name);
        _node = node;
        _dataDir = dataDir;
    }

    public static IReadOnlyList<IpPool> ReadPools(string path)
    {
        PoolsFileJson? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), FileClusterJsonContext.Default.PoolsFileJson);
        }
        catch (JsonException ex)
        {
            throw new PoolConfigException(path, $"is not JSON of the form {{\"pools\": [...]}}: {ex.Message}");
        }
        if (file?.Pools is not { Count: > 0 } list) throw new PoolConfigException($"{path}: pools", "must list at least one pool");
        var pools = new List<IpPool>();
        for (int i = 0; i < list.Count; i++)
        {
            var pool = PoolParser.Parse(list[i], $"pools[{i}]");
            if (pools.Any(p => p.Name == pool.Name)) throw new PoolConfigException($"pools[{i}].name", $"\"{pool.Name}\" is used by another pool");
            pools.Add(pool);
        }
        return pools;
    }

    public IpPool? FindPool(string name) => _pools.GetValueOrDefault(name);
    public string? PoolProblem(string name) => null;
    public IReadOnlyList<IpPool> Pools => [.. _pools.Values];
    public Task<NodeView> GetNodeAsync(string name, CancellationToken ct) => Task.FromResult(_node with { Name = name });
    public Task<PodInfo?> GetPodAsync(string ns, string name, CancellationToken ct) => Task.FromResult<PodInfo?>(null);
    public Task<IReadOnlyDictionary<string, string>?> GetNamespaceLabelsAsync(string ns, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    public async Task WritePoolStatusAsync(string pool, IReadOnlyList<SegmentUsage> usage, CancellationToken ct)
    {
        string dir = Path.Combine(_dataDir, pool);
        Directory.CreateDirectory(dir);
        var status = new PoolStatusFileJson
        {
            Segments = usage.Select(u => new SegmentStatusFileJson { Name = u.Segment, Total = u.Total, Allocated = u.Allocated, Free = u.Free }).ToList(),
            Total = usage.Sum(u => u.Total),
            Allocated = usage.Sum(u => u.Allocated),
            Free = usage.Sum(u => u.Free),
        };
        string tmp = Path.Combine(dir, $".status.{Environment.ProcessId}.tmp");
        await File.WriteAllBytesAsync(tmp, JsonSerializer.SerializeToUtf8Bytes(status, FileClusterJsonContext.Default.PoolStatusFileJson), ct);
        File.Move(tmp, Path.Combine(dir, "status.json"), overwrite: true);
    }
}

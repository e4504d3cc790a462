namespace Cdd.Operator.Placement;

/// <summary>
/// A node's running totals while a plan is built: what the inventory said, plus every member placed so far.
/// </summary>
internal sealed class HostState
{
    private readonly Dictionary<string, long> _storageFree;
    private readonly Dictionary<string, MemberRole> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<NetworkMode, int> _modes = new();
    private readonly Dictionary<string, int> _classes = new(StringComparer.Ordinal);

    internal HostState(NodeInventory node)
    {
        Node = node;
        CpuCommittedMillis = node.MysqlCpuMillis;
        MemoryCommittedBytes = node.MysqlMemoryBytes;
        FreeSriovVfs = node.Network.FreeSriovVfs;
        _storageFree = node.Storage.ToDictionary(s => s.StorageClass, s => s.FreeBytes, StringComparer.Ordinal);
    }

    public NodeInventory Node { get; }
    public string Name => Node.Name;
    public long CpuCommittedMillis { get; private set; }
    public long MemoryCommittedBytes { get; private set; }
    public int FreeSriovVfs { get; private set; }
    public int Members => _clusters.Count;
    public int Primaries { get; private set; }
    public IReadOnlyDictionary<string, MemberRole> Clusters => _clusters;
    public IReadOnlyDictionary<NetworkMode, int> NetworkModes => _modes;
    public IReadOnlyDictionary<string, int> StorageClasses => _classes;

    public long StorageFree(string storageClass) => _storageFree.GetValueOrDefault(storageClass, -1);
    public bool Reaches(string storageClass) => _storageFree.ContainsKey(storageClass);

    private sealed record CpuLimit(double Ceiling, long Millis);
    private CpuLimit? _cpuLimit; // one reference, swapped whole: safe when the extender asks from several threads

    /// <summary>
    /// The most MySQL CPU (millicores) the host may carry under <paramref name="ceiling"/>: ⌊ceiling × allocatable⌋,
    /// exact in decimal (1.5 on 12000m is 18000m, not 17999.999…), kept for the last ceiling asked (almost always the same).
    /// </summary>
    public long CpuLimitMillis(double ceiling)
    {
        var limit = _cpuLimit;
        if (limit is null || limit.Ceiling != ceiling)
            _cpuLimit = limit = new CpuLimit(ceiling, (long)decimal.Floor((decimal)ceiling * Node.AllocatableCpuMillis));
        return limit.Millis;
    }

    /// <summary>MySQL CPU requests over allocatable, e.g. 1.2 for 120 %.</summary>
    public double CpuCommittedFraction => (double)CpuCommittedMillis / Node.AllocatableCpuMillis;

    internal void AddExisting(ExistingMember m)
    {
        _clusters.Add(m.Cluster, m.Role);
        if (m.Role == MemberRole.Primary) Primaries++;
        if (m.Mode is { } mode) _modes[mode] = _modes.GetValueOrDefault(mode) + 1;
        if (m.StorageClass is { } sc) _classes[sc] = _classes.GetValueOrDefault(sc) + 1;
    }

    internal void AddNew(ClusterRequest r, bool primary)
    {
        AddExisting(new ExistingMember(r.Name, Name, primary ? MemberRole.Primary : MemberRole.Secondary, r.Mode, r.StorageClass));
        CpuCommittedMillis += r.CpuMillis;
        MemoryCommittedBytes += r.MemoryBytes;
        if (r.Mode == NetworkMode.Sriov) FreeSriovVfs--;
        _storageFree[r.StorageClass] -= r.StorageBytes;
    }

    internal void SetRole(string cluster, MemberRole role)
    {
        var old = _clusters[cluster];
        if (old == role) return;
        _clusters[cluster] = role;
        Primaries += role == MemberRole.Primary ? 1 : -1;
    }
}

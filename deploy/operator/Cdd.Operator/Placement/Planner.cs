namespace Cdd.Operator.Placement;

/// <summary>
/// The placement engine: pure, no I/O. It holds the hosts' running totals; <see cref="Place"/> decides where a cluster's
/// missing members go and, when the cluster fits, books them, so a sequence of calls plans many clusters.
///
/// Filters (a node failing any gets no new member): network mode capability, storage class reachable with free capacity,
/// zone, hard anti-affinity within a cluster, CPU over-commit ceiling, memory (never over-committed), circuit breakers.
/// Primary: the eligible node with the fewest primaries, so the new primary always lands on a minimum-primary host among
/// the eligible ones. Secondaries: spread over zones first, then the lowest cost (CPU committed against the ceiling, and
/// the share of the host's members already on this network mode and on this storage class). Ties break by node name.
/// </summary>
internal sealed class Planner
{
    private readonly Dictionary<string, HostState> _hosts = new(StringComparer.Ordinal);
    // The hosts in node-name order: every scan walks this, so ties (and plans) do not depend on hashing.
    private readonly HostState[] _ordered;
    private readonly Dictionary<string, List<string>> _clusterNodes = new(StringComparer.Ordinal);

    public Planner(IEnumerable<NodeInventory> nodes, IEnumerable<ExistingMember> existing)
    {
        foreach (var n in nodes)
        {
            Validate(n);
            if (!_hosts.TryAdd(n.Name, new HostState(n))) throw new ArgumentException($"node \"{n.Name}\" appears twice");
        }
        _ordered = [.. _hosts.Values.OrderBy(h => h.Name, StringComparer.Ordinal)];
        var primaries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in existing)
        {
            if (!_hosts.TryGetValue(m.Node, out var host)) throw new ArgumentException($"member of cluster \"{m.Cluster}\" is on unknown node \"{m.Node}\"");
            if (host.Clusters.ContainsKey(m.Cluster)) throw new ArgumentException($"cluster \"{m.Cluster}\" has two members on node \"{m.Node}\"");
            if (m.Role == MemberRole.Primary && !primaries.Add(m.Cluster)) throw new ArgumentException($"cluster \"{m.Cluster}\" has two primaries");
            host.AddExisting(m);
            Nodes(m.Cluster).Add(m.Node);
        }
    }

    public IReadOnlyCollection<HostState> Hosts => _ordered;
    public HostState Host(string node) => _hosts[node];
    public bool Contains(string node) => _hosts.ContainsKey(node);

    /// <summary>Every filter the node fails for one new member of the request; empty when it fits.</summary>
    public IReadOnlyList<string> Filter(string node, ClusterRequest r)
    {
        var h = _hosts.TryGetValue(node, out var found) ? found : throw new ArgumentException($"unknown node \"{node}\"");
        var reasons = new List<string>();
        Check(h, r, reasons);
        return reasons;
    }

    // The filters, each once: Fits answers the hot question (placing thousands of clusters asks it of every host for
    // every cluster) without allocating; Check formats the reason of every filter that fails.
    private static bool NetworkOk(HostState h, ClusterRequest r) => r.Mode switch
    {
        NetworkMode.Sriov => h.FreeSriovVfs >= 1,
        NetworkMode.Macvlan => h.Node.Network.MacvlanMaster,
        _ => h.Node.Network.Overlay,
    };
    private static bool ZoneOk(HostState h, ClusterRequest r) => r.Zones.Count == 0 || r.Zones.Contains(h.Node.Zone, StringComparer.Ordinal);
    private static bool CpuOk(HostState h, ClusterRequest r) => h.CpuCommittedMillis + r.CpuMillis <= h.CpuLimitMillis(r.OverCommitCeiling);
    private static bool MemoryOk(HostState h, ClusterRequest r) => h.MemoryCommittedBytes + r.MemoryBytes <= h.Node.AllocatableMemoryBytes;

    private static bool Fits(HostState h, ClusterRequest r) =>
        NetworkOk(h, r) && h.StorageFree(r.StorageClass) >= r.StorageBytes && ZoneOk(h, r) && !h.Clusters.ContainsKey(r.Name)
        && CpuOk(h, r) && MemoryOk(h, r) && !r.Breakers.IsTripped(h.Node.Pressure);

    private static bool Check(HostState h, ClusterRequest r, List<string> reasons)
    {
        if (!NetworkOk(h, r))
            reasons.Add(r.Mode switch
            {
                NetworkMode.Sriov => "network: no free SR-IOV VF",
                NetworkMode.Macvlan => "network: no MacVLAN master",
                _ => "network: not on the overlay",
            });
        if (!h.Reaches(r.StorageClass)) reasons.Add($"storage: class \"{r.StorageClass}\" not reachable");
        else if (h.StorageFree(r.StorageClass) < r.StorageBytes)
            reasons.Add($"storage: class \"{r.StorageClass}\" has {h.StorageFree(r.StorageClass)} bytes free, needs {r.StorageBytes}");
        if (!ZoneOk(h, r)) reasons.Add($"zone: \"{h.Node.Zone}\" not in [{string.Join(", ", r.Zones)}]");
        if (h.Clusters.ContainsKey(r.Name)) reasons.Add($"anti-affinity: already runs a member of \"{r.Name}\"");
        if (!CpuOk(h, r))
            reasons.Add($"cpu: {h.CpuCommittedMillis}m committed + {r.CpuMillis}m > {r.OverCommitCeiling:0.###} × {h.Node.AllocatableCpuMillis}m allocatable");
        if (!MemoryOk(h, r))
            reasons.Add($"memory: {h.MemoryCommittedBytes} bytes committed + {r.MemoryBytes} > {h.Node.AllocatableMemoryBytes} allocatable");
        if (r.Breakers.Tripped(h.Node.Pressure) is { } tripped) reasons.Add(tripped);
        return reasons.Count == 0;
    }

    /// <summary>
    /// Lower is better: CPU committed after this member against the ceiling (0..1), plus half the share of the host's
    /// members on the same network mode and half the share on the same storage class (each 0..1).
    /// </summary>
    public double Cost(string node, ClusterRequest r) => Cost(_hosts[node], r);

    private static double Cost(HostState h, ClusterRequest r)
    {
        double cpu = (h.CpuCommittedMillis + r.CpuMillis) / (r.OverCommitCeiling * h.Node.AllocatableCpuMillis);
        double denominator = h.Members + 1;
        double mode = h.NetworkModes.GetValueOrDefault(r.Mode) / denominator;
        double storage = h.StorageClasses.GetValueOrDefault(r.StorageClass) / denominator;
        return cpu + 0.5 * mode + 0.5 * storage;
    }

    public PlacementResult Place(ClusterRequest r)
    {
        Validate(r);
        var current = _clusterNodes.TryGetValue(r.Name, out var list) ? list : [];
        var members = current.Select(n => new PlacedMember(n, _hosts[n].Clusters[r.Name] == MemberRole.Primary, false)).ToList();
        var eligible = new List<HostState>();
        foreach (var h in _ordered)
            if (Fits(h, r)) eligible.Add(h);
        var eligibleNames = eligible.ConvertAll(h => h.Name);
        int needed = r.Members - current.Count;
        if (needed < 0)
            return new PlacementResult(r.Name, members, eligibleNames, Rejections(r), $"cluster \"{r.Name}\" already has {current.Count} members, more than the {r.Members} asked: scaling down is not placement");
        if (eligible.Count < needed)
            return new PlacementResult(r.Name, members, eligibleNames, Rejections(r),
                $"cluster \"{r.Name}\" needs {needed} more node(s) for {r.Members} member(s), {eligible.Count} eligible");

        // Cost depends only on the host and the request, and members go to distinct hosts, so it is computed once.
        var cost = new double[eligible.Count];
        for (int i = 0; i < cost.Length; i++) cost[i] = Cost(eligible[i], r);
        var taken = new bool[eligible.Count];
        var zones = current.GroupBy(n => _hosts[n].Node.Zone).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var chosen = new List<(HostState Host, bool Primary)>();
        // A fresh cluster's first member is the intended primary. A running cluster's primary is whoever MGR elected
        // among the running members (even when none is reported right now): new members join as secondaries.
        bool primaryNext = needed > 0 && current.Count == 0;
        while (chosen.Count < needed)
        {
            // The host with the smallest (count, cost): primaries per host for the primary, members of this cluster in
            // the host's zone for a secondary. Ties go to the first by name (eligible is in name order).
            int best = -1, bestCount = 0;
            for (int i = 0; i < eligible.Count; i++)
            {
                if (taken[i]) continue;
                int count = primaryNext ? eligible[i].Primaries : zones.GetValueOrDefault(eligible[i].Node.Zone);
                if (best < 0 || count < bestCount || (count == bestCount && cost[i] < cost[best])) (best, bestCount) = (i, count);
            }
            var h = eligible[best];
            taken[best] = true;
            chosen.Add((h, primaryNext));
            primaryNext = false;
            zones[h.Node.Zone] = zones.GetValueOrDefault(h.Node.Zone) + 1;
        }
        foreach (var (h, primary) in chosen)
        {
            h.AddNew(r, primary);
            Nodes(r.Name).Add(h.Name);
            members.Add(new PlacedMember(h.Name, primary, true));
        }
        return new PlacementResult(r.Name, members, eligibleNames, new Dictionary<string, IReadOnlyList<string>>(), null);
    }

    private SortedDictionary<string, IReadOnlyList<string>> Rejections(ClusterRequest r)
    {
        var rejections = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var h in _ordered)
        {
            var reasons = new List<string>();
            if (!Check(h, r, reasons)) rejections[h.Name] = reasons;
        }
        return rejections;
    }

    /// <summary>
    /// When the primary's host trips a breaker, the secondary to promote: one on a host that trips none, with the fewest
    /// primaries, then the most headroom below its breakers, then by node name. Nothing is booked; see <see cref="ApplyPrimaryMove"/>.
    /// </summary>
    public PrimaryMove DecidePrimaryMove(string cluster, BreakerThresholds breakers)
    {
        var nodes = _clusterNodes.TryGetValue(cluster, out var list) ? list : [];
        var primary = nodes.FirstOrDefault(n => _hosts[n].Clusters[cluster] == MemberRole.Primary);
        if (primary is null) return new PrimaryMove(PrimaryMoveKind.NoPrimary, null, null, $"cluster \"{cluster}\" has no PRIMARY member");
        if (breakers.Tripped(_hosts[primary].Node.Pressure) is not { } tripped)
            return new PrimaryMove(PrimaryMoveKind.Stay, primary, null, $"primary host \"{primary}\" trips no breaker");
        var target = nodes.Where(n => n != primary && breakers.Tripped(_hosts[n].Node.Pressure) is null)
            .OrderBy(n => _hosts[n].Primaries).ThenBy(n => breakers.Headroom(_hosts[n].Node.Pressure)).ThenBy(n => n, StringComparer.Ordinal)
            .FirstOrDefault();
        return target is null
            ? new PrimaryMove(PrimaryMoveKind.NoHealthySecondary, primary, null, $"primary host \"{primary}\": {tripped}; no SECONDARY on a healthy host")
            : new PrimaryMove(PrimaryMoveKind.Move, primary, target, $"primary host \"{primary}\": {tripped}; promote the SECONDARY on \"{target}\"");
    }

    /// <summary>Books a decided move (as the reconciler does after group_replication_set_as_primary() succeeded).</summary>
    public void ApplyPrimaryMove(string cluster, PrimaryMove move)
    {
        if (move.Kind != PrimaryMoveKind.Move) return;
        _hosts[move.From!].SetRole(cluster, MemberRole.Secondary);
        _hosts[move.To!].SetRole(cluster, MemberRole.Primary);
    }

    private List<string> Nodes(string cluster) =>
        _clusterNodes.TryGetValue(cluster, out var l) ? l : _clusterNodes[cluster] = [];

    private static void Validate(NodeInventory n)
    {
        if (string.IsNullOrEmpty(n.Name)) throw new ArgumentException("a node has no name");
        if (n.AllocatableCpuMillis <= 0) throw new ArgumentException($"node \"{n.Name}\": allocatable cpu must be > 0");
        if (n.AllocatableMemoryBytes <= 0) throw new ArgumentException($"node \"{n.Name}\": allocatable memory must be > 0");
        if (n.MysqlCpuMillis < 0 || n.MysqlMemoryBytes < 0) throw new ArgumentException($"node \"{n.Name}\": MySQL requests must be ≥ 0");
        if (n.Network.FreeSriovVfs < 0) throw new ArgumentException($"node \"{n.Name}\": free SR-IOV VFs must be ≥ 0");
        if (n.Storage.Any(s => s.FreeBytes < 0)) throw new ArgumentException($"node \"{n.Name}\": free storage must be ≥ 0");
        if (n.Storage.Select(s => s.StorageClass).Distinct(StringComparer.Ordinal).Count() != n.Storage.Count)
            throw new ArgumentException($"node \"{n.Name}\": a storage class is listed twice");
        var p = n.Pressure;
        if (new[] { p.Cpu, p.Memory, p.Network, p.Disk }.Any(x => !double.IsFinite(x) || x < 0))
            throw new ArgumentException($"node \"{n.Name}\": pressure must be finite and ≥ 0");
    }

    private static void Validate(ClusterRequest r)
    {
        if (string.IsNullOrEmpty(r.Name)) throw new ArgumentException("a cluster has no name");
        if (!ClusterRequest.AllowedMembers.Contains(r.Members)) throw new ArgumentException($"cluster \"{r.Name}\": members must be 1, 3, 5, 7 or 9, not {r.Members}");
        if (r.StorageBytes <= 0 || r.CpuMillis <= 0 || r.MemoryBytes <= 0) throw new ArgumentException($"cluster \"{r.Name}\": storage size, cpu and memory must be > 0");
        if (!double.IsFinite(r.OverCommitCeiling) || r.OverCommitCeiling <= 0 || r.OverCommitCeiling > 10)
            throw new ArgumentException($"cluster \"{r.Name}\": over-commit ceiling must be in (0, 10]");
        var b = r.Breakers;
        if (new[] { b.Cpu, b.Memory, b.Network, b.Disk }.Any(x => !double.IsFinite(x) || x <= 0 || x > 1))
            throw new ArgumentException($"cluster \"{r.Name}\": breaker thresholds must be in (0, 1]");
    }
}

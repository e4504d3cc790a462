namespace Cdd.Csi;

/// <summary>What a driver instance is configured with (command line / environment).</summary>
internal sealed record DriverOptions
{
    /// <summary>The LVM driver's name (attachRequired false); the SAN driver runs the same binary as <see cref="SanDriverName"/>.</summary>
    public const string DriverName = "lvm.cdd.io";
    public const string SanDriverName = "san.cdd.io";
    public const string TopologyKey = "topology.cdd.io/node";

    /// <summary>What GetPluginInfo reports: one CSIDriver object per name, each with its own attachRequired.</summary>
    public string Name { get; init; } = DriverName;

    public required string NodeId { get; init; }

    /// <summary>Volume groups this node serves; `volumeGroup` must name one of them. Empty: no LVM backend.</summary>
    public IReadOnlyList<string> VolumeGroups { get; init; } = [];

    /// <summary>`--controller`: the central Deployment (Identity + Controller against the arrays, publish/unpublish), no Node service.</summary>
    public bool Controller { get; init; }

    /// <summary>A SAN node: NodeGetInfo's node_id carries the node's IQN and WWPNs (<see cref="Node.NodeIdentity"/>).</summary>
    public bool ReportInitiators { get; init; }

    /// <summary>Where the node keeps what it staged (SAN: sessions, paths, maps), so an unstage after a restart removes everything.</summary>
    public string StateDir { get; init; } = "/var/lib/cdd-csi";

    /// <summary>Roots of /etc and /sys, for tests on fake trees.</summary>
    public string EtcRoot { get; init; } = "/etc";

    public string SysRoot { get; init; } = "/sys";

    /// <summary>Target and staging paths must lie below this root (kubelet's).</summary>
    public string KubeletRoot { get; init; } = "/var/lib/kubelet";

    /// <summary>Thin pools may promise this many times their size in thin volumes.</summary>
    public double ThinOverProvisionRatio { get; init; } = 1.0;

    /// <summary>
    /// Grow LVs in NodeExpandVolume and leave controller EXPAND_VOLUME unadvertised (the DaemonSet deployment: the elected
    /// external-resizer may run on any node). Off: ControllerExpandVolume grows the LV, as a controller on the LV's node can.
    /// </summary>
    public bool ExpandOnNode { get; init; }

    /// <summary>When CreateVolume gives no size.</summary>
    public long DefaultVolumeBytes { get; init; } = 1L << 30;
}

namespace Cdd.Csi;

/// <summary>What the node's driver instance is configured with (command line / environment).</summary>
internal sealed record DriverOptions
{
    public const string DriverName = "lvm.cdd.io";
    public const string TopologyKey = "topology.cdd.io/node";

    public required string NodeId { get; init; }

    /// <summary>Volume groups this node serves; `volumeGroup` must name one of them.</summary>
    public required IReadOnlyList<string> VolumeGroups { get; init; }

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

using System.Net;
using Cdd.Csi.Node;
using Cdd.Csi.Validation;

namespace Cdd.Csi.San.Lio;

/// <summary>
/// The storage host's LIO target as `cdd-csi --controller` manages it: one target IQN, one TPG per portal (so every
/// portal is its own path), LVs of one VG (thick, or thin in <see cref="ThinPool"/>) as block backstores.
/// </summary>
internal sealed record LioOptions(string TargetIqn, IReadOnlyList<IPEndPoint> Portals, string VolumeGroup, string? ThinPool, string ConfigfsRoot)
{
    /// <summary>TPG authentication: every initiator logs in with CHAP (ControllerPublish's secret sets the ACL's credentials).</summary>
    public bool RequireChap { get; init; }

    public long DefaultVolumeBytes { get; init; } = 1L << 30;

    /// <summary>Null when no target is configured; otherwise each value checked, ArgumentException naming the flag.</summary>
    public static LioOptions? From(string? target, IReadOnlyList<string> portals, string? vg, string? thinPool, string configfsRoot)
    {
        if (string.IsNullOrEmpty(target)) return null;
        if (!Initiators.IsIqn(target)) throw new ArgumentException($"--lio-target \"{target}\" is not an iSCSI name (iqn.yyyy-mm.domain:name)");
        if (portals.Count == 0) throw new ArgumentException("--lio-portals is required: address:port[,address:port...]");
        var eps = portals.Select(p => PublishContext.ParsePortal(p) ?? throw new ArgumentException($"--lio-portals entry \"{p}\" is not address:port")).ToList();
        if (eps.Distinct().Count() != eps.Count) throw new ArgumentException("--lio-portals names a portal twice");
        if (string.IsNullOrEmpty(vg) || !VolumeId.IsLvmName(vg)) throw new ArgumentException($"--lio-volume-group \"{vg}\" is not a VG name");
        if (thinPool is { Length: > 0 } && !VolumeId.IsLvmName(thinPool)) throw new ArgumentException($"--lio-thin-pool \"{thinPool}\" is not an LV name");
        return new LioOptions(target, eps, vg, thinPool is { Length: > 0 } ? thinPool : null, configfsRoot);
    }
}

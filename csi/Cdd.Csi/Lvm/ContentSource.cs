using Cdd.Csi.Errors;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.Lvm;

/// <summary>CreateVolume's volume_content_source: which LV a restore (snapshot) or a clone (volume) copies.</summary>
internal static class ContentSource
{
    /// <summary>Volume context key carrying <see cref="Describe"/>: NodeStage grows a copied filesystem to its volume.</summary>
    public const string ContextKey = "cdd.io/contentSource";

    /// <summary>"snapshot:&lt;id&gt;" or "volume:&lt;id&gt;" (also the LV tag value), or null for a blank volume.</summary>
    public static string? Describe(VolumeContentSource? source) => source?.TypeCase switch
    {
        VolumeContentSource.TypeOneofCase.Snapshot => "snapshot:" + source.Snapshot.SnapshotId,
        VolumeContentSource.TypeOneofCase.Volume => "volume:" + source.Volume.VolumeId,
        _ => null,
    };

    /// <summary>The LV to copy, in <paramref name="vg"/>: NOT_FOUND when there is no such snapshot or volume of ours.</summary>
    public static LvInfo Resolve(VolumeContentSource source, string vg, IReadOnlyList<LvInfo> lvs)
    {
        if (source.TypeCase == VolumeContentSource.TypeOneofCase.Snapshot)
        {
            string raw = source.Snapshot.SnapshotId;
            var id = SnapshotId.TryParse(raw) ?? throw new CsiException(CsiFault.NotFound, $"snapshot {raw} does not exist");
            if (id.Vg != vg) throw CsiException.Invalid($"snapshot {raw} is in volume group {id.Vg}, the new volume in {vg}: restores stay in their pool");
            return lvs.FirstOrDefault(l => l.Name == id.Lv && l.Tags.Contains(SnapshotId.OwnerTag))
                ?? throw new CsiException(CsiFault.NotFound, $"snapshot {raw} does not exist");
        }
        else
        {
            string raw = source.Volume.VolumeId;
            var id = VolumeId.TryParse(raw) ?? throw new CsiException(CsiFault.NotFound, $"volume {raw} does not exist");
            if (id.Vg != vg) throw CsiException.Invalid($"volume {raw} is in volume group {id.Vg}, the clone in {vg}: clones stay in their pool");
            var lv = lvs.FirstOrDefault(l => l.Name == id.Lv && l.Tags.Contains(VolumeId.OwnerTag))
                ?? throw new CsiException(CsiFault.NotFound, $"volume {raw} does not exist");
            if (lv.PoolLv.Length == 0) throw CsiException.Invalid($"volume {raw} is thick: only thin volumes can be cloned");
            return lv;
        }
    }
}

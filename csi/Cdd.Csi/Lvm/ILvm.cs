namespace Cdd.Csi.Lvm;

/// <summary>The lvm2 operations the driver uses, one to one with the tools (pass-through in <see cref="LvmCli"/>).</summary>
internal interface ILvm
{
    Task<IReadOnlyList<VgInfo>> VolumeGroupsAsync();

    Task<IReadOnlyList<LvInfo>> LogicalVolumesAsync(string vg);

    /// <summary>The VG and its LVs from one `lvs` (one tool start instead of two on the hot paths); null when the VG is absent.</summary>
    Task<VgReport?> ReportAsync(string vg);

    /// <summary>A thick LV (<paramref name="thinPool"/> null) or a thin LV in that pool, tagged in the same metadata commit.</summary>
    Task CreateAsync(string vg, string name, long sizeBytes, string? thinPool, IReadOnlyList<string> tags);

    /// <summary>
    /// A thin snapshot <paramref name="name"/> of the thin LV <paramref name="origin"/>, tagged in the same metadata commit.
    /// lvm2 marks thin snapshots "skip activation"; <paramref name="activate"/> clears that and activates it (a volume made from
    /// a snapshot or a clone), otherwise it stays inactive (a CSI snapshot).
    /// </summary>
    Task SnapshotAsync(string vg, string origin, string name, IReadOnlyList<string> tags, bool activate);

    /// <summary>Makes the LV's device read-only (or writable again) in the kernel: `lvchange --permission r|rw`.</summary>
    Task SetReadOnlyAsync(string vg, string name, bool readOnly);

    Task RemoveAsync(string vg, string name);

    /// <summary>Grows the LV (thick, or a thin LV's virtual size) to <paramref name="sizeBytes"/>; the filesystem is the node's job.</summary>
    Task ExtendAsync(string vg, string name, long sizeBytes);
}

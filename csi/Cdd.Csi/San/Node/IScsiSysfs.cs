namespace Cdd.Csi.San.Node;

/// <summary>The SCSI, iSCSI, FC and device-mapper parts of sysfs the node reads and writes (<see cref="ScsiSysfs"/>, under an injectable root).</summary>
internal interface IScsiSysfs
{
    /// <summary>The SCSI host number of an iSCSI session, or null when the session is gone.</summary>
    int? SessionHost(int session);

    /// <summary>The session's SCSI target id (open-iscsi's software transport uses 0).</summary>
    int SessionTargetId(int session);

    /// <summary>Writes "CHANNEL TARGET LUN" to the host's scan file: exactly that address, nothing else.</summary>
    void Scan(int host, int channel, int target, int lun);

    /// <summary>The hosts under fc_host.</summary>
    IReadOnlyList<int> FcHosts();

    /// <summary>Writes "- - LUN" to an FC host's scan file: that LUN on every remote port of the host.</summary>
    void ScanLun(int host, int lun);

    /// <summary>The SCSI device at H:C:T:L, or null.</summary>
    ScsiPath? Path(string hctl);

    /// <summary>Every SCSI device whose VPD 0x83 identity is this WWID.</summary>
    IReadOnlyList<ScsiPath> PathsByWwid(string wwid);

    /// <summary>Writes 1 to device/delete.</summary>
    void Delete(string hctl);

    /// <summary>Writes 1 to device/rescan: the device re-reads its capacity (and VPD pages).</summary>
    void Rescan(string hctl);

    /// <summary>The dm device whose dm/uuid is exactly this, or null.</summary>
    DmMap? MapByUuid(string uuid);

    /// <summary>The map's device node: /dev/mapper/NAME, or /dev/dm-N where nothing made the mapper node (no udev, no libdm fallback).</summary>
    string DevicePath(DmMap map);

    /// <summary>The block device name (sdX, dm-N) of major:minor, or null.</summary>
    string? BlockName(string majorMinor);
}

/// <summary>
/// One SCSI path: address, block device name (null while sd has not bound it yet), the identity the device reported
/// (VPD 0x83 as a WWID, VPD 0x80 serial), its state ("running", "offline", "transport-offline", ...), size.
/// </summary>
internal sealed record ScsiPath(string Hctl, string? Block, string? Wwid, string? Serial, string State, long SizeBytes);

/// <summary>A dm device: name (/dev/mapper/NAME), kernel name (dm-N), UUID, slaves (block names), size.</summary>
internal sealed record DmMap(string Name, string Kernel, string Uuid, IReadOnlyList<string> Slaves, long SizeBytes);

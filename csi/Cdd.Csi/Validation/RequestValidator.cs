using System.Text;
using Cdd.Csi.Errors;
using Csi.V1;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Validation;

/// <summary>
/// Checks every request before a handler sees it (called by the interceptor): required fields, name and ID
/// shapes, paths, sizes, parameters, capabilities and mount options. Failures are INVALID_ARGUMENT or
/// OUT_OF_RANGE and nothing has been touched yet.
/// </summary>
internal sealed class RequestValidator(DriverOptions options)
{
    public const int MaxNameBytes = 128;

    static readonly Mode[] SingleNode = [Mode.SingleNodeWriter, Mode.SingleNodeReaderOnly, Mode.SingleNodeSingleWriter, Mode.SingleNodeMultiWriter];

    public void Validate(object request)
    {
        switch (request)
        {
            case CreateVolumeRequest r:
                Name(r.Name);
                Capacity(r.CapacityRange);
                VolumeParameters.Parse(r.Parameters, options);
                if (r.VolumeCapabilities.Count == 0) throw CsiException.Invalid("volume_capabilities is required");
                foreach (var c in r.VolumeCapabilities) Capability(c);
                if (r.VolumeContentSource is { } src)
                    switch (src.TypeCase)
                    {
                        case VolumeContentSource.TypeOneofCase.Snapshot: Required(src.Snapshot.SnapshotId, "volume_content_source.snapshot.snapshot_id"); break;
                        case VolumeContentSource.TypeOneofCase.Volume: Required(src.Volume.VolumeId, "volume_content_source.volume.volume_id"); break;
                        default: throw CsiException.Invalid("volume_content_source names neither a snapshot nor a volume");
                    }
                break;
            case CreateSnapshotRequest r:
                Name(r.Name);
                Required(r.SourceVolumeId, "source_volume_id");
                foreach (var key in r.Parameters.Keys)
                    if (!key.StartsWith(VolumeParameters.ProvisionerPrefix, StringComparison.Ordinal))
                        throw CsiException.Invalid($"unknown snapshot parameter \"{key}\"; VolumeSnapshotClass parameters are not used by this driver");
                break;
            case DeleteSnapshotRequest r:
                Required(r.SnapshotId, "snapshot_id");
                break;
            case ListSnapshotsRequest r:
                if (r.MaxEntries < 0) throw CsiException.Invalid("max_entries must not be negative");
                break;
            case DeleteVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                break;
            case ValidateVolumeCapabilitiesRequest r:
                Required(r.VolumeId, "volume_id");
                if (r.VolumeCapabilities.Count == 0) throw CsiException.Invalid("volume_capabilities is required");
                break;
            case ListVolumesRequest r:
                if (r.MaxEntries < 0) throw CsiException.Invalid("max_entries must not be negative");
                break;
            case GetCapacityRequest r:
                if (r.Parameters.Count > 0) VolumeParameters.Parse(r.Parameters, options);
                foreach (var c in r.VolumeCapabilities) Capability(c);
                break;
            case NodeStageVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                PathRules.Require(r.StagingTargetPath, "staging_target_path", options.KubeletRoot);
                if (r.VolumeCapability is null) throw CsiException.Invalid("volume_capability is required");
                Capability(r.VolumeCapability);
                break;
            case NodeUnstageVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                PathRules.Require(r.StagingTargetPath, "staging_target_path", options.KubeletRoot);
                break;
            case NodePublishVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                PathRules.Require(r.TargetPath, "target_path", options.KubeletRoot);
                PathRules.Require(r.StagingTargetPath, "staging_target_path", options.KubeletRoot);
                if (r.VolumeCapability is null) throw CsiException.Invalid("volume_capability is required");
                Capability(r.VolumeCapability);
                break;
            case NodeUnpublishVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                PathRules.Require(r.TargetPath, "target_path", options.KubeletRoot);
                break;
            case ControllerExpandVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                if (r.CapacityRange is null) throw CsiException.Invalid("capacity_range is required");
                Capacity(r.CapacityRange);
                break;
            case NodeExpandVolumeRequest r:
                Required(r.VolumeId, "volume_id");
                PathRules.Require(r.VolumePath, "volume_path", options.KubeletRoot);
                Capacity(r.CapacityRange);
                break;
            case NodeGetVolumeStatsRequest r:
                Required(r.VolumeId, "volume_id");
                PathRules.Require(r.VolumePath, "volume_path", options.KubeletRoot);
                break;
        }
    }

    /// <summary>Names: required, at most 128 bytes of UTF-8, none of the control characters the spec bans.</summary>
    public static void Name(string name)
    {
        if (string.IsNullOrEmpty(name)) throw CsiException.Invalid("name is required");
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes) throw CsiException.Invalid($"name is longer than {MaxNameBytes} bytes");
        foreach (char c in name)
            if (c is <= '\u0008' or '\u000B' or '\u000C' or (>= '\u000E' and <= '\u001F') or (>= '\u007F' and <= '\u009F'))
                throw CsiException.Invalid($"name contains the control character U+{(int)c:X4}");
    }

    static void Required(string value, string field)
    {
        if (string.IsNullOrEmpty(value)) throw CsiException.Invalid($"{field} is required");
        if (Encoding.UTF8.GetByteCount(value) > MaxNameBytes) throw CsiException.Invalid($"{field} is longer than {MaxNameBytes} bytes");
    }

    static void Capacity(CapacityRange? range)
    {
        if (range is null) return;
        if (range.RequiredBytes < 0 || range.LimitBytes < 0) throw CsiException.Invalid("capacity_range values must not be negative");
        if (range.LimitBytes > 0 && range.RequiredBytes > range.LimitBytes)
            throw new CsiException(CsiFault.OutOfRange, "capacity_range.required_bytes is above limit_bytes");
    }

    static void Capability(VolumeCapability c)
    {
        if (Problem(c) is { } problem) throw CsiException.Invalid(problem);
    }

    /// <summary>Why this driver cannot serve <paramref name="c"/>, or null when it can (ValidateVolumeCapabilities asks without failing).</summary>
    public static string? Problem(VolumeCapability c)
    {
        if (c.AccessMode is null || c.AccessMode.Mode == Mode.Unknown) return "volume_capability.access_mode is required";
        if (!SingleNode.Contains(c.AccessMode.Mode))
            return $"access mode {c.AccessMode.Mode} is not supported: local LVM volumes are single-node";
        switch (c.AccessTypeCase)
        {
            case VolumeCapability.AccessTypeOneofCase.Mount:
                if (c.Mount.FsType.Length > 0 && !VolumeParameters.FsTypes.Contains(c.Mount.FsType))
                    return $"fs_type \"{c.Mount.FsType}\" is not supported (ext4, xfs)";
                try
                {
                    MountOptions.Parse(c.Mount.MountFlags);
                }
                catch (CsiException e)
                {
                    return e.Message;
                }
                if (c.Mount.VolumeMountGroup.Length > 0) return "volume_mount_group is not supported";
                return null;
            case VolumeCapability.AccessTypeOneofCase.Block:
                return null;
            default:
                return "volume_capability.access_type (mount or block) is required";
        }
    }
}

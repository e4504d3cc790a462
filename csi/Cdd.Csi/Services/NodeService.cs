using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Cdd.Csi.Validation;
using Cdd.Native;
using Cdd.Native.Mounts;
using Csi.V1;
using global::Grpc.Core;

namespace Cdd.Csi.Services;

/// <summary>Stage (format if blank, mount), publish (bind mount), and their undo; stats. Calls on one volume never overlap.</summary>
public sealed class NodeService(DriverOptions options, Locks locks) : global::Csi.V1.Node.NodeBase
{
    public override async Task<NodeStageVolumeResponse> NodeStageVolume(NodeStageVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        var mount = request.VolumeCapability.Mount;
        var mountOptions = MountOptions.Parse(mount.MountFlags);
        using var inFlight = locks.Volume(id.ToString());

        var device = BlockDevice.Numbers(id.DevicePath) ?? throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {id.DevicePath}");
        if (MountTable.At(staging) is { } current)
        {
            if (current.Major == device.Major && current.Minor == device.Minor) return new NodeStageVolumeResponse();
            throw new CsiException(CsiFault.AlreadyExists, $"{staging} already holds another device ({current.Source})");
        }

        string wanted = mount.FsType.Length > 0 ? mount.FsType
            : request.VolumeContext.TryGetValue(VolumeParameters.FsTypeKey, out var f) && f.Length > 0 ? f : "ext4";
        if (!VolumeParameters.FsTypes.Contains(wanted)) throw CsiException.Invalid($"fs type \"{wanted}\" is not supported (ext4, xfs)");
        string? found = await Filesystems.ProbeAsync(id.DevicePath);
        bool copied = request.VolumeContext.ContainsKey(ContentSource.ContextKey);
        if (found is null)
            await Filesystems.FormatAsync(id.DevicePath, wanted, VolumeParameters.MkfsFromContext(request.VolumeContext, wanted));
        else if (found != wanted)
            // Never reformat: a device that holds anything else is the operator's to sort out.
            throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} holds {found}, not {wanted}; it is not reformatted");

        Directory.CreateDirectory(staging);
        string data = mountOptions.Data;
        // A restored or cloned xfs carries its source's UUID, and xfs refuses to mount a second filesystem with the same one.
        if (copied && wanted == "xfs") data = data.Length > 0 ? data + ",nouuid" : "nouuid";
        Mount.Filesystem(id.DevicePath, staging, wanted, mountOptions.Flags, data);
        // A copy asked for more than its source holds: the LV grew in CreateVolume, the filesystem grows here, once mounted.
        if (copied && found is not null && (mountOptions.Flags & MountFlags.ReadOnly) == 0)
        {
            try
            {
                await Filesystems.GrowAsync(wanted, id.DevicePath, staging);
            }
            catch
            {
                Mount.Unmount(staging);
                throw;
            }
        }
        return new NodeStageVolumeResponse();
    }

    public override Task<NodeUnstageVolumeResponse> NodeUnstageVolume(NodeUnstageVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id.ToString());
        while (MountTable.At(staging) is not null) Mount.Unmount(staging);
        return Task.FromResult(new NodeUnstageVolumeResponse());
    }

    public override Task<NodePublishVolumeResponse> NodePublishVolume(NodePublishVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        string target = PathRules.Require(request.TargetPath, "target_path", options.KubeletRoot);
        bool readOnly = request.Readonly
                        || request.VolumeCapability.AccessMode.Mode == VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeReaderOnly;
        using var inFlight = locks.Volume(id.ToString());

        var staged = MountTable.At(staging) ?? throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} is not staged at {staging}");
        if (MountTable.At(target) is { } current)
        {
            bool same = current.Major == staged.Major && current.Minor == staged.Minor;
            bool currentRo = current.Options.Split(',').Contains("ro");
            if (same && currentRo == readOnly) return Task.FromResult(new NodePublishVolumeResponse());
            throw new CsiException(CsiFault.AlreadyExists, $"{target} is already published {(same ? "with another read-only setting" : "from another device")}");
        }
        Directory.CreateDirectory(target);
        Mount.Bind(staging, target, readOnly);
        return Task.FromResult(new NodePublishVolumeResponse());
    }

    public override Task<NodeUnpublishVolumeResponse> NodeUnpublishVolume(NodeUnpublishVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string target = PathRules.Require(request.TargetPath, "target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id.ToString());
        while (MountTable.At(target) is not null) Mount.Unmount(target);
        // The spec has the plugin remove the target it created.
        if (Directory.Exists(target) && !Directory.EnumerateFileSystemEntries(target).Any()) Directory.Delete(target);
        return Task.FromResult(new NodeUnpublishVolumeResponse());
    }

    public override Task<NodeGetVolumeStatsResponse> NodeGetVolumeStats(NodeGetVolumeStatsRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string path = PathRules.Require(request.VolumePath, "volume_path", options.KubeletRoot);
        var mounted = MountTable.At(path) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} is not mounted at {path}");
        var s = Mount.Stats(path);
        var device = BlockDevice.Numbers(id.DevicePath);
        bool abnormal = device is null || device.Value.Major != mounted.Major || device.Value.Minor != mounted.Minor;
        return Task.FromResult(new NodeGetVolumeStatsResponse
        {
            Usage =
            {
                new VolumeUsage { Unit = VolumeUsage.Types.Unit.Bytes, Total = s.TotalBytes, Available = s.AvailableBytes, Used = s.UsedBytes },
                new VolumeUsage { Unit = VolumeUsage.Types.Unit.Inodes, Total = s.TotalInodes, Available = s.FreeInodes, Used = s.UsedInodes },
            },
            VolumeCondition = new VolumeCondition
            {
                Abnormal = abnormal,
                Message = abnormal ? $"the logical volume {id} behind {path} is gone or replaced" : "healthy",
            },
        });
    }

    /// <summary>Grows the mounted filesystem to fill its (already extended) LV: resize2fs for ext4, xfs_growfs for xfs.</summary>
    public override async Task<NodeExpandVolumeResponse> NodeExpandVolume(NodeExpandVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string path = PathRules.Require(request.VolumePath, "volume_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id.ToString());
        var mounted = MountTable.At(path) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} is not mounted at {path}");
        var device = BlockDevice.Numbers(id.DevicePath);
        if (device is null || device.Value.Major != mounted.Major || device.Value.Minor != mounted.Minor)
            throw new CsiException(CsiFault.NotFound, $"{path} does not hold volume {id}");
        await Filesystems.GrowAsync(mounted.FsType, id.DevicePath, path);
        return new NodeExpandVolumeResponse { CapacityBytes = Mount.Stats(path).TotalBytes };
    }

    public override Task<NodeGetCapabilitiesResponse> NodeGetCapabilities(NodeGetCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new NodeGetCapabilitiesResponse();
        foreach (var t in new[]
                 {
                     NodeServiceCapability.Types.RPC.Types.Type.StageUnstageVolume,
                     NodeServiceCapability.Types.RPC.Types.Type.GetVolumeStats,
                     NodeServiceCapability.Types.RPC.Types.Type.VolumeCondition,
                     NodeServiceCapability.Types.RPC.Types.Type.ExpandVolume,
                 })
            response.Capabilities.Add(new NodeServiceCapability { Rpc = new NodeServiceCapability.Types.RPC { Type = t } });
        return Task.FromResult(response);
    }

    public override Task<NodeGetInfoResponse> NodeGetInfo(NodeGetInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new NodeGetInfoResponse
        {
            NodeId = options.NodeId,
            AccessibleTopology = new Topology { Segments = { [DriverOptions.TopologyKey] = options.NodeId } },
        });
}

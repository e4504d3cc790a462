using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Cdd.Csi.Validation;
using Cdd.Native.Mounts;
using Csi.V1;
using global::Grpc.Core;

namespace Cdd.Csi.Services;

/// <summary>
/// Stage (format if blank, mount), publish (bind mount), and their undo; stats and condition; online growth. Raw block
/// volumes skip staging and bind the LV's device node onto a file. Calls on one volume never overlap (ABORTED).
/// </summary>
internal sealed class NodeService(DriverOptions options, Locks locks, ILvm lvm) : global::Csi.V1.Node.NodeBase
{
    public override async Task<NodeStageVolumeResponse> NodeStageVolume(NodeStageVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id.ToString());

        var device = BlockDevice.Numbers(id.DevicePath) ?? throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {id.DevicePath}");
        // A raw block volume has nothing to stage: NodePublish binds the device node itself.
        if (request.VolumeCapability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block) return new NodeStageVolumeResponse();

        var mount = request.VolumeCapability.Mount;
        var mountOptions = MountOptions.Parse(mount.MountFlags);
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

    public override async Task<NodePublishVolumeResponse> NodePublishVolume(NodePublishVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        string target = PathRules.Require(request.TargetPath, "target_path", options.KubeletRoot);
        bool readOnly = request.Readonly
                        || request.VolumeCapability.AccessMode.Mode == VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeReaderOnly;
        using var inFlight = locks.Volume(id.ToString());
        if (request.VolumeCapability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
        {
            await PublishBlock(id, target, readOnly);
            return new NodePublishVolumeResponse();
        }

        var staged = MountTable.At(staging) ?? throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} is not staged at {staging}");
        if (MountTable.At(target) is { } current)
        {
            bool same = current.Major == staged.Major && current.Minor == staged.Minor;
            if (same && IsReadOnly(current) == readOnly) return new NodePublishVolumeResponse();
            throw new CsiException(CsiFault.AlreadyExists, $"{target} is already published {(same ? "with another read-only setting" : "from another device")}");
        }
        Directory.CreateDirectory(target);
        Mount.Bind(staging, target, readOnly);
        return new NodePublishVolumeResponse();
    }

    /// <summary>
    /// The device node bound onto a file. A read-only mount does not stop writes through a device node (the kernel skips
    /// that check for special files), so read-only also makes the LV itself read-only until the target is unpublished.
    /// </summary>
    async Task PublishBlock(VolumeId id, string target, bool readOnly)
    {
        if (!File.Exists(id.DevicePath)) throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {id.DevicePath}");
        if (MountTable.At(target) is { } current)
        {
            bool same = BlockTargets.Holds(current, id.DevicePath);
            if (same && IsReadOnly(current) == readOnly) return;
            throw new CsiException(CsiFault.AlreadyExists, $"{target} is already published {(same ? "with another read-only setting" : "from another device")}");
        }
        if (Directory.Exists(target)) throw new CsiException(CsiFault.FailedPrecondition, $"{target} is a directory; a block volume is published onto a file");
        BlockTargets.CreateTarget(target);
        if (readOnly) await SetReadOnly(id, true);
        try
        {
            Mount.Bind(id.DevicePath, target, readOnly);
        }
        catch
        {
            if (readOnly && !MountTable.Read().Any(m => IsReadOnly(m) && BlockTargets.Holds(m, id.DevicePath))) await SetReadOnly(id, false);
            File.Delete(target);
            throw;
        }
    }

    /// <summary>lvchange refuses to set the permission the LV already has (a second read-only publish, a retried unpublish).</summary>
    async Task SetReadOnly(VolumeId id, bool readOnly)
    {
        var lv = (await lvm.ReportAsync(id.Vg))?.Lvs.FirstOrDefault(l => l.Name == id.Lv)
            ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        if (lv.IsReadOnly != readOnly) await lvm.SetReadOnlyAsync(id.Vg, id.Lv, readOnly);
    }

    public override async Task<NodeUnpublishVolumeResponse> NodeUnpublishVolume(NodeUnpublishVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string target = PathRules.Require(request.TargetPath, "target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id.ToString());
        bool readOnlyBlock = false;
        while (MountTable.At(target) is { } m)
        {
            readOnlyBlock |= File.Exists(target) && IsReadOnly(m) && BlockTargets.Holds(m, id.DevicePath);
            Mount.Unmount(target);
        }
        // Writable again once no other read-only publish of the device is left on this node.
        if (readOnlyBlock && !MountTable.Read().Any(m => IsReadOnly(m) && BlockTargets.Holds(m, id.DevicePath)))
            await SetReadOnly(id, false);
        // The spec has the plugin remove the target it created: a directory for a filesystem, a file for a block volume.
        if (Directory.Exists(target) && !Directory.EnumerateFileSystemEntries(target).Any()) Directory.Delete(target);
        else if (File.Exists(target) && new FileInfo(target).Length == 0) File.Delete(target);
        return new NodeUnpublishVolumeResponse();
    }

    /// <summary>
    /// Usage (bytes and inodes of the filesystem; bytes of the device for a block volume) and the volume's condition:
    /// abnormal, with the reason, when the path is no longer mounted or the LV behind it is gone or replaced.
    /// </summary>
    public override Task<NodeGetVolumeStatsResponse> NodeGetVolumeStats(NodeGetVolumeStatsRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string path = PathRules.Require(request.VolumePath, "volume_path", options.KubeletRoot);
        if (!Directory.Exists(path) && !File.Exists(path)) throw new CsiException(CsiFault.NotFound, $"volume {id}: {path} does not exist");
        var response = new NodeGetVolumeStatsResponse();
        var mounted = MountTable.At(path);
        if (mounted is null)
        {
            response.VolumeCondition = Abnormal($"volume {id} is not mounted at {path}");
            return Task.FromResult(response);
        }

        var device = BlockDevice.Numbers(id.DevicePath);
        if (File.Exists(path))
        {
            bool held = BlockTargets.Holds(mounted, id.DevicePath);
            if (held && BlockTargets.SizeBytes(id.DevicePath) is { } size)
                response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Bytes, Total = size });
            response.VolumeCondition = held ? Healthy() : Abnormal($"the logical volume {id} behind {path} is gone or replaced");
            return Task.FromResult(response);
        }

        var s = Mount.Stats(path);
        response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Bytes, Total = s.TotalBytes, Available = s.AvailableBytes, Used = s.UsedBytes });
        response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Inodes, Total = s.TotalInodes, Available = s.FreeInodes, Used = s.UsedInodes });
        bool same = device is { } d && d.Major == mounted.Major && d.Minor == mounted.Minor;
        response.VolumeCondition = same ? Healthy() : Abnormal($"the logical volume {id} behind {path} is gone or replaced");
        return Task.FromResult(response);
    }

    static VolumeCondition Healthy() => new() { Abnormal = false, Message = "healthy" };

    static VolumeCondition Abnormal(string why) => new() { Abnormal = true, Message = why };

    static bool IsReadOnly(MountEntry m) => m.Options.Split(',').Contains("ro");

    /// <summary>
    /// Grows the LV to capacity_range when it is still smaller (nothing to do after ControllerExpandVolume; the whole job with
    /// --expand-on-node), then the mounted filesystem to fill it: resize2fs for ext4, xfs_growfs for xfs.
    /// </summary>
    public override async Task<NodeExpandVolumeResponse> NodeExpandVolume(NodeExpandVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        string path = PathRules.Require(request.VolumePath, "volume_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id.ToString());
        if (request.CapacityRange is { RequiredBytes: > 0 } range) await VolumeGrowth.GrowAsync(lvm, locks, options, id, range);
        // A raw block volume has no filesystem: the bigger LV is all there is to it.
        if (request.VolumeCapability?.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
            return new NodeExpandVolumeResponse { CapacityBytes = BlockTargets.SizeBytes(id.DevicePath) ?? throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {id.DevicePath}") };
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

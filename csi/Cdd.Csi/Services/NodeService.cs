using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Cdd.Csi.Validation;
using Cdd.Native.Mounts;
using Csi.V1;
using global::Grpc.Core;

namespace Cdd.Csi.Services;

/// <summary>
/// Stage (the backend attaches the device; format if blank, mount), publish (bind mount), and their undo; stats and
/// condition; online growth. Raw block volumes stage only the device and bind its node onto a file. Calls on one volume
/// never overlap (ABORTED). Mounts, probes and device lookups go through interfaces, so all of this runs in unit tests.
/// </summary>
internal sealed class NodeService(DriverOptions options, Locks locks, Backends.Backends backends, IMounter mounts, IFilesystems filesystems,
    IDevices devices, NodeIdentity identity) : global::Csi.V1.Node.NodeBase
{
    INodeBackend For(string volumeId)
    {
        if (string.IsNullOrEmpty(volumeId)) throw CsiException.Invalid("volume_id is required");
        return backends.NodeForVolume(volumeId)
            ?? throw new CsiException(CsiFault.NotFound, $"volume_id {volumeId}: no such volume (not an ID this driver issued)");
    }

    static async Task<string> RequireDevice(INodeBackend backend, string volumeId) =>
        await backend.DevicePathAsync(volumeId) ?? throw new CsiException(CsiFault.NotFound, $"volume {volumeId}: its device is not on this node");

    public override async Task<NodeStageVolumeResponse> NodeStageVolume(NodeStageVolumeRequest request, ServerCallContext context)
    {
        var backend = For(request.VolumeId);
        string id = request.VolumeId;
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id);

        // A stage refused after the backend attached the device (a foreign filesystem, a busy staging path, mkfs or mount
        // failing) gives back what this call attached: no half-staged LUN, no stage record. A device that was attached
        // before (a repeated stage, a local LV) stays as it was.
        bool attachedBefore = await backend.DevicePathAsync(id) is not null;
        string devicePath = await backend.AttachAsync(new AttachRequest(id, request.PublishContext, request.VolumeContext, request.Secrets));
        try
        {
            await Stage(request, devicePath, staging);
        }
        catch when (!attachedBefore)
        {
            await DetachQuietly(backend, id);
            throw;
        }
        return new NodeStageVolumeResponse();
    }

    static async Task DetachQuietly(INodeBackend backend, string id)
    {
        try
        {
            await backend.DetachAsync(id);
        }
        catch (Exception e) when (e is CsiException or ToolException or IOException or UnauthorizedAccessException)
        {
            // The stage's own error is the one to report; what could not be detached stays recorded for NodeUnstage.
        }
    }

    async Task Stage(NodeStageVolumeRequest request, string devicePath, string staging)
    {
        string id = request.VolumeId;
        var device = devices.Numbers(devicePath) ?? throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {devicePath}");
        // A raw block volume has nothing more to stage: NodePublish binds the device node itself.
        if (request.VolumeCapability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block) return;

        var mount = request.VolumeCapability.Mount;
        var mountOptions = MountOptions.Parse(mount.MountFlags);
        if (mounts.At(staging) is { } current)
        {
            if (current.Major == device.Major && current.Minor == device.Minor) return;
            throw new CsiException(CsiFault.AlreadyExists, $"{staging} already holds another device ({current.Source})");
        }

        string wanted = mount.FsType.Length > 0 ? mount.FsType
            : request.VolumeContext.TryGetValue(VolumeParameters.FsTypeKey, out var f) && f.Length > 0 ? f : "ext4";
        if (!VolumeParameters.FsTypes.Contains(wanted)) throw CsiException.Invalid($"fs type \"{wanted}\" is not supported (ext4, xfs)");
        string? found = await filesystems.ProbeAsync(devicePath);
        bool copied = request.VolumeContext.ContainsKey(ContentSource.ContextKey);
        if (found is null)
            await filesystems.FormatAsync(devicePath, wanted, VolumeParameters.MkfsFromContext(request.VolumeContext, wanted));
        else if (found != wanted)
            // Never reformat: a device that holds anything else is the operator's to sort out.
            throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} holds {found}, not {wanted}; it is not reformatted");

        Directory.CreateDirectory(staging);
        string data = mountOptions.Data;
        // A restored or cloned xfs carries its source's UUID, and xfs refuses to mount a second filesystem with the same one.
        if (copied && wanted == "xfs") data = data.Length > 0 ? data + ",nouuid" : "nouuid";
        mounts.Filesystem(devicePath, staging, wanted, mountOptions.Flags, data);
        // A copy asked for more than its source holds: the LV grew in CreateVolume, the filesystem grows here, once mounted.
        if (copied && found is not null && (mountOptions.Flags & MountFlags.ReadOnly) == 0)
        {
            try
            {
                await filesystems.GrowAsync(wanted, devicePath, staging);
            }
            catch
            {
                mounts.Unmount(staging);
                throw;
            }
        }
    }

    public override async Task<NodeUnstageVolumeResponse> NodeUnstageVolume(NodeUnstageVolumeRequest request, ServerCallContext context)
    {
        var backend = For(request.VolumeId);
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(request.VolumeId);
        while (mounts.At(staging) is not null) mounts.Unmount(staging);
        await backend.DetachAsync(request.VolumeId);
        return new NodeUnstageVolumeResponse();
    }

    public override async Task<NodePublishVolumeResponse> NodePublishVolume(NodePublishVolumeRequest request, ServerCallContext context)
    {
        var backend = For(request.VolumeId);
        string id = request.VolumeId;
        string staging = PathRules.Require(request.StagingTargetPath, "staging_target_path", options.KubeletRoot);
        string target = PathRules.Require(request.TargetPath, "target_path", options.KubeletRoot);
        bool readOnly = request.Readonly
                        || request.VolumeCapability.AccessMode.Mode == VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeReaderOnly;
        using var inFlight = locks.Volume(id);
        if (request.VolumeCapability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
        {
            await PublishBlock(backend, id, target, readOnly);
            return new NodePublishVolumeResponse();
        }

        var staged = mounts.At(staging) ?? throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} is not staged at {staging}");
        if (mounts.At(target) is { } current)
        {
            bool same = current.Major == staged.Major && current.Minor == staged.Minor;
            if (same && IsReadOnly(current) == readOnly) return new NodePublishVolumeResponse();
            throw new CsiException(CsiFault.AlreadyExists, $"{target} is already published {(same ? "with another read-only setting" : "from another device")}");
        }
        Directory.CreateDirectory(target);
        mounts.Bind(staging, target, readOnly);
        return new NodePublishVolumeResponse();
    }

    /// <summary>
    /// The device node bound onto a file. A read-only mount does not stop writes through a device node (the kernel skips
    /// that check for special files), so read-only also makes the device itself read-only until the target is unpublished.
    /// </summary>
    async Task PublishBlock(INodeBackend backend, string id, string target, bool readOnly)
    {
        string devicePath = await RequireDevice(backend, id);
        if (mounts.At(target) is { } current)
        {
            bool same = devices.Holds(current, devicePath);
            if (same && IsReadOnly(current) == readOnly) return;
            throw new CsiException(CsiFault.AlreadyExists, $"{target} is already published {(same ? "with another read-only setting" : "from another device")}");
        }
        if (Directory.Exists(target)) throw new CsiException(CsiFault.FailedPrecondition, $"{target} is a directory; a block volume is published onto a file");
        BlockTargets.CreateTarget(target);
        if (readOnly) await backend.SetReadOnlyAsync(id, true);
        try
        {
            mounts.Bind(devicePath, target, readOnly);
        }
        catch
        {
            if (readOnly && !mounts.Read().Any(m => IsReadOnly(m) && devices.Holds(m, devicePath))) await backend.SetReadOnlyAsync(id, false);
            File.Delete(target);
            throw;
        }
    }

    public override async Task<NodeUnpublishVolumeResponse> NodeUnpublishVolume(NodeUnpublishVolumeRequest request, ServerCallContext context)
    {
        var backend = For(request.VolumeId);
        string id = request.VolumeId;
        string target = PathRules.Require(request.TargetPath, "target_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id);
        string? devicePath = await backend.DevicePathAsync(id);
        bool readOnlyBlock = false;
        while (mounts.At(target) is { } m)
        {
            readOnlyBlock |= devicePath is not null && File.Exists(target) && IsReadOnly(m) && devices.Holds(m, devicePath);
            mounts.Unmount(target);
        }
        // Writable again once no other read-only publish of the device is left on this node.
        if (readOnlyBlock && !mounts.Read().Any(m => IsReadOnly(m) && devices.Holds(m, devicePath!)))
            await backend.SetReadOnlyAsync(id, false);
        // The spec has the plugin remove the target it created: a directory for a filesystem, a file for a block volume.
        if (Directory.Exists(target) && !Directory.EnumerateFileSystemEntries(target).Any()) Directory.Delete(target);
        else if (File.Exists(target) && new FileInfo(target).Length == 0) File.Delete(target);
        return new NodeUnpublishVolumeResponse();
    }

    /// <summary>
    /// Usage (bytes and inodes of the filesystem; bytes of the device for a block volume) and the volume's condition:
    /// abnormal, with the reason, when the path is no longer mounted, the device behind it is gone or replaced, or the
    /// backend reports a problem (a failed path of a LUN, named).
    /// </summary>
    public override async Task<NodeGetVolumeStatsResponse> NodeGetVolumeStats(NodeGetVolumeStatsRequest request, ServerCallContext context)
    {
        var backend = For(request.VolumeId);
        string id = request.VolumeId;
        string path = PathRules.Require(request.VolumePath, "volume_path", options.KubeletRoot);
        if (!Directory.Exists(path) && !File.Exists(path)) throw new CsiException(CsiFault.NotFound, $"volume {id}: {path} does not exist");
        var response = new NodeGetVolumeStatsResponse();
        var mounted = mounts.At(path);
        if (mounted is null)
        {
            response.VolumeCondition = Abnormal($"volume {id} is not mounted at {path}");
            return response;
        }

        string? devicePath = await backend.DevicePathAsync(id);
        string gone = $"the device of volume {id} behind {path} is gone or replaced";
        if (File.Exists(path))
        {
            bool held = devicePath is not null && devices.Holds(mounted, devicePath);
            if (held && devices.SizeBytes(devicePath!) is { } size)
                response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Bytes, Total = size });
            response.VolumeCondition = held ? await Condition(backend, id) : Abnormal(gone);
            return response;
        }

        var s = mounts.Stats(path);
        response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Bytes, Total = s.TotalBytes, Available = s.AvailableBytes, Used = s.UsedBytes });
        response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Inodes, Total = s.TotalInodes, Available = s.FreeInodes, Used = s.UsedInodes });
        var device = devicePath is null ? null : devices.Numbers(devicePath);
        bool same = device is { } d && d.Major == mounted.Major && d.Minor == mounted.Minor;
        response.VolumeCondition = same ? await Condition(backend, id) : Abnormal(gone);
        return response;
    }

    static async Task<VolumeCondition> Condition(INodeBackend backend, string id) =>
        await backend.ProblemAsync(id) is { } problem ? Abnormal(problem) : Healthy();

    static VolumeCondition Healthy() => new() { Abnormal = false, Message = "healthy" };

    static VolumeCondition Abnormal(string why) => new() { Abnormal = true, Message = why };

    static bool IsReadOnly(MountEntry m) => m.Options.Split(',').Contains("ro");

    /// <summary>
    /// Grows the device where the node can (an LV still smaller than capacity_range; a LUN's paths and map rescanned), then
    /// the mounted filesystem to fill it: resize2fs for ext4, xfs_growfs for xfs.
    /// </summary>
    public override async Task<NodeExpandVolumeResponse> NodeExpandVolume(NodeExpandVolumeRequest request, ServerCallContext context)
    {
        var backend = For(request.VolumeId);
        string id = request.VolumeId;
        string path = PathRules.Require(request.VolumePath, "volume_path", options.KubeletRoot);
        using var inFlight = locks.Volume(id);
        await backend.GrowDeviceAsync(id, request.CapacityRange);
        string devicePath = await RequireDevice(backend, id);
        // A raw block volume has no filesystem: the bigger device is all there is to it.
        if (request.VolumeCapability?.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
            return new NodeExpandVolumeResponse { CapacityBytes = devices.SizeBytes(devicePath) ?? throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {devicePath}") };
        var mounted = mounts.At(path) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} is not mounted at {path}");
        var device = devices.Numbers(devicePath);
        if (device is null || device.Value.Major != mounted.Major || device.Value.Minor != mounted.Minor)
            throw new CsiException(CsiFault.NotFound, $"{path} does not hold volume {id}");
        await filesystems.GrowAsync(mounted.FsType, devicePath, path);
        return new NodeExpandVolumeResponse { CapacityBytes = mounts.Stats(path).TotalBytes };
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

    /// <summary>The node ID carries the node's iSCSI IQN and FC WWPNs on a SAN node (<see cref="NodeIdentity"/>); topology is the bare name.</summary>
    public override Task<NodeGetInfoResponse> NodeGetInfo(NodeGetInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new NodeGetInfoResponse
        {
            NodeId = identity.ToString(),
            AccessibleTopology = new Topology { Segments = { [DriverOptions.TopologyKey] = options.NodeId } },
        });
}

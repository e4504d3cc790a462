using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Csi.V1;
using global::Grpc.Core;
using RpcType = Csi.V1.ControllerServiceCapability.Types.RPC.Types.Type;

namespace Cdd.Csi.Services;

/// <summary>
/// The Controller service: each call goes to the backend that owns it (the StorageClass's <c>backend</c> for CreateVolume
/// and GetCapacity, the volume or snapshot ID's shape otherwise). Listing merges and pages every backend's volumes.
/// </summary>
internal sealed class ControllerService(DriverOptions options, Backends.Backends backends) : Controller.ControllerBase
{
    IBackend ForVolume(string volumeId, string field = "volume_id") =>
        backends.ForVolume(volumeId) ?? throw new CsiException(CsiFault.NotFound, $"{field} {volumeId}: no such volume (not an ID this driver issued)");

    public override Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request, ServerCallContext context) =>
        backends.ForParameters(request.Parameters).CreateVolume(request);

    /// <summary>An ID no backend here owns is nothing of ours to delete: success (idempotent).</summary>
    public override Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request, ServerCallContext context) =>
        backends.ForVolume(request.VolumeId)?.DeleteVolume(request) ?? Task.FromResult(new DeleteVolumeResponse());

    public override Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request, ServerCallContext context) =>
        ForVolume(request.VolumeId).ControllerExpandVolume(request);

    public override Task<ControllerPublishVolumeResponse> ControllerPublishVolume(ControllerPublishVolumeRequest request, ServerCallContext context) =>
        ForVolume(request.VolumeId).ControllerPublishVolume(request);

    /// <summary>An unknown volume is not published anywhere: success, as the spec asks of a repeated unpublish.</summary>
    public override Task<ControllerUnpublishVolumeResponse> ControllerUnpublishVolume(ControllerUnpublishVolumeRequest request, ServerCallContext context) =>
        backends.ForVolume(request.VolumeId)?.ControllerUnpublishVolume(request) ?? Task.FromResult(new ControllerUnpublishVolumeResponse());

    public override Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request, ServerCallContext context) =>
        ForVolume(request.VolumeId).ValidateVolumeCapabilities(request);

    /// <summary>Every backend's volumes, ordered by ID; the token is the ID of the next entry.</summary>
    public override async Task<ListVolumesResponse> ListVolumes(ListVolumesRequest request, ServerCallContext context)
    {
        var all = new List<(string Id, ListVolumesResponse.Types.Entry Entry)>();
        foreach (var b in backends.Controllers)
            foreach (var e in await b.ListAll()) all.Add((e.Volume.VolumeId, e));
        var (page, next) = Paging.Page(all, request.StartingToken, request.MaxEntries);
        var response = new ListVolumesResponse { NextToken = next };
        foreach (var (_, e) in page) response.Entries.Add(e);
        return response;
    }

    /// <summary>Without parameters: the sum over every backend served here.</summary>
    public override async Task<GetCapacityResponse> GetCapacity(GetCapacityRequest request, ServerCallContext context)
    {
        if (request.Parameters.Count > 0) return await backends.ForParameters(request.Parameters).GetCapacity(request);
        long sum = 0;
        foreach (var b in backends.Controllers) sum += (await b.GetCapacity(request)).AvailableCapacity;
        return new GetCapacityResponse { AvailableCapacity = sum };
    }

    ISnapshotBackend Snapshots(string sourceVolumeId) =>
        ForVolume(sourceVolumeId, "source_volume_id").Snapshots
        ?? throw CsiException.Invalid($"source_volume_id {sourceVolumeId}: its backend has no snapshots");

    public override Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context) =>
        Snapshots(request.SourceVolumeId).CreateSnapshot(request);

    public override Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context) =>
        backends.Controllers.Select(b => b.Snapshots).FirstOrDefault(s => s?.OwnsSnapshot(request.SnapshotId) == true)?.DeleteSnapshot(request)
        ?? Task.FromResult(new DeleteSnapshotResponse());

    public override async Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context)
    {
        // Only LVM has snapshots; a listing on an instance without it is empty.
        var snapshots = backends.Controllers.Select(b => b.Snapshots).OfType<ISnapshotBackend>().FirstOrDefault();
        return snapshots is null ? new ListSnapshotsResponse() : await snapshots.ListSnapshots(request);
    }

    public override Task<ControllerGetCapabilitiesResponse> ControllerGetCapabilities(ControllerGetCapabilitiesRequest request, ServerCallContext context)
    {
        var types = new List<RpcType> { RpcType.CreateDeleteVolume, RpcType.ListVolumes, RpcType.GetCapacity };
        if (options.Controller)
            // The central SAN controller masks LUNs to nodes: external-attacher calls publish and unpublish and reads where they are published.
            types.AddRange([RpcType.PublishUnpublishVolume, RpcType.ListVolumesPublishedNodes, RpcType.ExpandVolume]);
        else
        {
            types.AddRange([RpcType.CreateDeleteSnapshot, RpcType.ListSnapshots, RpcType.CloneVolume]);
            // external-resizer has no per-node mode: in a DaemonSet, the one elected resizer would ask its own node about every
            // volume. Without this capability it only records the new size, and kubelet calls NodeExpandVolume where the LV is.
            if (!options.ExpandOnNode) types.Add(RpcType.ExpandVolume);
        }
        var response = new ControllerGetCapabilitiesResponse();
        foreach (var t in types)
            response.Capabilities.Add(new ControllerServiceCapability { Rpc = new ControllerServiceCapability.Types.RPC { Type = t } });
        return Task.FromResult(response);
    }
}

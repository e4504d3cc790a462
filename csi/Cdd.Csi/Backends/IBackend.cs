using Csi.V1;

namespace Cdd.Csi.Backends;

/// <summary>
/// What a backend does on the controller side: the CSI controller calls for the volumes it owns. The gRPC service has
/// already validated each request (<see cref="Validation.RequestValidator"/>) and picks the backend: by the StorageClass's
/// <c>backend</c> parameter for CreateVolume and GetCapacity, by the volume ID's shape for everything else.
/// </summary>
internal interface IBackend
{
    /// <summary>The StorageClass's <c>backend</c> value: "lvm" or "san".</summary>
    string Name { get; }

    /// <summary>Whether the ID has this backend's shape (and names storage it serves).</summary>
    bool Owns(string volumeId);

    /// <summary>StorageClass parameters: INVALID_ARGUMENT naming the first bad one.</summary>
    void ValidateParameters(IReadOnlyDictionary<string, string> parameters);

    Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request);

    Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request);

    Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request);

    Task<ControllerPublishVolumeResponse> ControllerPublishVolume(ControllerPublishVolumeRequest request);

    Task<ControllerUnpublishVolumeResponse> ControllerUnpublishVolume(ControllerUnpublishVolumeRequest request);

    Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request);

    /// <summary>Every volume of this backend, published nodes filled in where the backend publishes; the service orders and pages.</summary>
    Task<IReadOnlyList<ListVolumesResponse.Types.Entry>> ListAll();

    Task<GetCapacityResponse> GetCapacity(GetCapacityRequest request);

    /// <summary>Probe: fails (FAILED_PRECONDITION, saying what is missing) when the backend cannot serve.</summary>
    Task ProbeAsync();

    /// <summary>Null when the backend has no snapshots.</summary>
    ISnapshotBackend? Snapshots { get; }
}

/// <summary>Snapshots, for the backends that have them (LVM thin).</summary>
internal interface ISnapshotBackend
{
    bool OwnsSnapshot(string snapshotId);

    Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request);

    Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request);

    Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request);
}

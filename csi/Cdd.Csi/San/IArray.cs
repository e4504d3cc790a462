using Cdd.Csi.Node;

namespace Cdd.Csi.San;

/// <summary>
/// A storage array behind the SAN backend: makes and removes LUNs and masks them to initiators. Every call is idempotent
/// (a repeated create finds the LUN it made; a repeated delete or unpublish of what is gone succeeds).
/// </summary>
internal interface IArray
{
    /// <summary>"lio" or "pool": the StorageClass's <c>array</c> and the volume ID's prefix.</summary>
    string Name { get; }

    /// <summary>The LUN for this request name: made, or found when made before; ALREADY_EXISTS when the found one does not fit.</summary>
    Task<SanVolume> CreateAsync(string name, global::Csi.V1.CapacityRange? range, string fsType);

    Task<SanVolume?> FindAsync(SanVolumeId id);

    /// <summary>FAILED_PRECONDITION while it is still published; success when it is gone.</summary>
    Task DeleteAsync(SanVolumeId id);

    /// <summary>The size after growing (unchanged when it is already as big).</summary>
    Task<long> ExpandAsync(SanVolumeId id, global::Csi.V1.CapacityRange range);

    /// <summary>Masks the LUN to the node's initiators and returns how the node reaches it.</summary>
    Task<PublishContext> PublishAsync(SanVolumeId id, NodeIdentity node, bool readOnly, IReadOnlyDictionary<string, string> secrets);

    Task UnpublishAsync(SanVolumeId id, string nodeId);

    Task<IReadOnlyList<SanVolume>> ListAsync();

    /// <summary>(Free bytes, largest volume that can be made now).</summary>
    Task<(long Available, long Maximum)> CapacityAsync();

    Task ProbeAsync();
}

/// <summary>A LUN as an array reports it: its ID, size, identity, and the node IDs it is published to.</summary>
internal sealed record SanVolume(SanVolumeId Id, long SizeBytes, string Wwid, string Serial, IReadOnlyList<string> PublishedNodes);

using Csi.V1;

namespace Cdd.Csi.Backends;

/// <summary>
/// A backend's node side: bring the volume's block device onto this node, find it, take it away. NodeService does the
/// rest (format only a blank device, mount, bind, stats) the same way for every backend. Kept apart from
/// <see cref="IBackend"/> because the node DaemonSet of a SAN driver has no array to talk to, only its initiator.
/// </summary>
internal interface INodeBackend
{
    string Name { get; }

    bool Owns(string volumeId);

    /// <summary>
    /// Makes the device present (an LV: it already is; a LUN: login, targeted rescan, serial checks, multipath map) and
    /// returns its path. Repeated: the same path, nothing added. Fails, touching nothing it did not make, when a check fails.
    /// </summary>
    Task<string> AttachAsync(AttachRequest request);

    /// <summary>The path of the volume's device on this node, or null when it is not here.</summary>
    Task<string?> DevicePathAsync(string volumeId);

    /// <summary>Undoes <see cref="AttachAsync"/> after the staging path is unmounted; a volume that is not attached is success.</summary>
    Task DetachAsync(string volumeId);

    /// <summary>Makes the device read-only in the kernel (a raw block publish with readonly), or writable again.</summary>
    Task SetReadOnlyAsync(string volumeId, bool readOnly);

    /// <summary>Grows the device to the range where the node can (an LV with --expand-on-node; a LUN's paths and map rescanned).</summary>
    Task GrowDeviceAsync(string volumeId, CapacityRange? range);

    /// <summary>Why the device is unhealthy (a failed path, named), or null.</summary>
    Task<string?> ProblemAsync(string volumeId);
}

/// <summary>NodeStageVolume's inputs that a backend's attach needs; <see cref="Secrets"/> never reach a log or an error.</summary>
internal sealed record AttachRequest(
    string VolumeId,
    IReadOnlyDictionary<string, string> PublishContext,
    IReadOnlyDictionary<string, string> VolumeContext,
    IReadOnlyDictionary<string, string> Secrets);

using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Csi.V1;

namespace Cdd.Csi.San;

/// <summary>
/// The SAN backend's controller side (`cdd-csi --controller`): LUNs on the configured arrays, masked to a node's
/// initiators on ControllerPublish. A LUN is single-writer: published to one node at a time.
/// </summary>
internal sealed class SanBackend(DriverOptions options, IEnumerable<IArray> arrays, Locks locks) : IBackend
{
    readonly Dictionary<string, IArray> _arrays = arrays.ToDictionary(a => a.Name);

    public SanBackend(DriverOptions options, IArray array, Locks locks) : this(options, [array], locks) { }

    public string Name => Backends.Backends.San;

    public bool Owns(string volumeId) => SanVolumeId.TryParse(volumeId) is { } id && _arrays.ContainsKey(id.Array);

    public void ValidateParameters(IReadOnlyDictionary<string, string> parameters) => SanParameters.Parse(parameters, _arrays.Keys);

    public ISnapshotBackend? Snapshots => null;

    (SanVolumeId Id, IArray Array) Resolve(string volumeId) =>
        SanVolumeId.TryParse(volumeId) is { } id && _arrays.TryGetValue(id.Array, out var a) ? (id, a)
            : throw new CsiException(CsiFault.NotFound, $"volume_id {volumeId}: no such volume (not an ID this driver issued)");

    public async Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request)
    {
        var p = SanParameters.Parse(request.Parameters, _arrays.Keys);
        if (request.VolumeContentSource is not null)
            throw CsiException.Invalid("volume_content_source: SAN volumes cannot be restored or cloned (no snapshots on these arrays)");
        using var inFlight = locks.Volume("name:" + request.Name);
        using var arrayLock = await locks.VolumeGroupAsync("array:" + p.Array);
        var v = await _arrays[p.Array].CreateAsync(request.Name, request.CapacityRange, p.FsType);
        return new CreateVolumeResponse
        {
            Volume = new Volume { VolumeId = v.Id.ToString(), CapacityBytes = v.SizeBytes, VolumeContext = { p.ToContext() } },
        };
    }

    public async Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request)
    {
        var (id, array) = Resolve(request.VolumeId);
        using var inFlight = locks.Volume(id.ToString());
        using var arrayLock = await locks.VolumeGroupAsync("array:" + id.Array);
        await array.DeleteAsync(id);
        return new DeleteVolumeResponse();
    }

    public async Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request)
    {
        var (id, array) = Resolve(request.VolumeId);
        using var inFlight = locks.Volume(id.ToString());
        using var arrayLock = await locks.VolumeGroupAsync("array:" + id.Array);
        long size = await array.ExpandAsync(id, request.CapacityRange);
        // The node rescans its paths, resizes the map and grows the filesystem.
        return new ControllerExpandVolumeResponse { CapacityBytes = size, NodeExpansionRequired = true };
    }

    /// <summary>
    /// Masks the LUN to the node's initiators (from its node_id). Published to another node already: FAILED_PRECONDITION,
    /// until that node's unpublish (a second writer on a LUN with a local filesystem would corrupt it).
    /// </summary>
    public async Task<ControllerPublishVolumeResponse> ControllerPublishVolume(ControllerPublishVolumeRequest request)
    {
        var (id, array) = Resolve(request.VolumeId);
        var node = NodeIdentity.Parse(request.NodeId);
        using var inFlight = locks.Volume(id.ToString());
        using var arrayLock = await locks.VolumeGroupAsync("array:" + id.Array);
        var v = await array.FindAsync(id) ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        var others = v.PublishedNodes.Where(n => n != request.NodeId).ToList();
        if (others.Count > 0)
            throw new CsiException(CsiFault.FailedPrecondition,
                $"volume {id} is single-writer and published to {string.Join(", ", others.Select(o => NodeIdentity.Parse(o).Node))}; unpublish it there first");
        bool readOnly = request.Readonly || request.VolumeCapability.AccessMode.Mode == VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeReaderOnly;
        var context = await array.PublishAsync(id, node, readOnly, request.Secrets);
        return new ControllerPublishVolumeResponse { PublishContext = { context.ToMap() } };
    }

    public async Task<ControllerUnpublishVolumeResponse> ControllerUnpublishVolume(ControllerUnpublishVolumeRequest request)
    {
        var (id, array) = Resolve(request.VolumeId);
        // An empty node_id means every node (spec).
        if (request.NodeId.Length > 0) NodeIdentity.Parse(request.NodeId);
        using var inFlight = locks.Volume(id.ToString());
        using var arrayLock = await locks.VolumeGroupAsync("array:" + id.Array);
        if (request.NodeId.Length > 0) await array.UnpublishAsync(id, request.NodeId);
        else if (await array.FindAsync(id) is { } v)
            foreach (var n in v.PublishedNodes) await array.UnpublishAsync(id, n);
        return new ControllerUnpublishVolumeResponse();
    }

    public async Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request)
    {
        var (id, array) = Resolve(request.VolumeId);
        if (await array.FindAsync(id) is null) throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        return CapabilityAnswer.For(request, p => SanParameters.Parse(p, _arrays.Keys));
    }

    public async Task<IReadOnlyList<ListVolumesResponse.Types.Entry>> ListAll()
    {
        var entries = new List<ListVolumesResponse.Types.Entry>();
        foreach (var a in _arrays.Values)
            foreach (var v in await a.ListAsync())
                entries.Add(new ListVolumesResponse.Types.Entry
                {
                    Volume = new Volume { VolumeId = v.Id.ToString(), CapacityBytes = v.SizeBytes },
                    Status = new ListVolumesResponse.Types.VolumeStatus { PublishedNodeIds = { v.PublishedNodes } },
                });
        return entries;
    }

    public async Task<GetCapacityResponse> GetCapacity(GetCapacityRequest request)
    {
        var which = request.Parameters.Count > 0 ? [_arrays[SanParameters.Parse(request.Parameters, _arrays.Keys).Array]] : _arrays.Values.ToList();
        long available = 0, maximum = 0;
        foreach (var a in which)
        {
            var (av, max) = await a.CapacityAsync();
            available += av;
            maximum = Math.Max(maximum, max);
        }
        return new GetCapacityResponse { AvailableCapacity = available, MaximumVolumeSize = maximum };
    }

    public async Task ProbeAsync()
    {
        foreach (var a in _arrays.Values) await a.ProbeAsync();
    }

    /// <summary>The node name an options-less caller would use; kept for the log line.</summary>
    public override string ToString() => $"san({string.Join(",", _arrays.Keys)}) on {options.NodeId}";
}

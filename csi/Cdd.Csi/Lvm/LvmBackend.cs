using Cdd.Csi.Errors;
using Cdd.Csi.Backends;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.Lvm;

/// <summary>The LVM backend's controller side for this node's own VGs (node-deployment model): create (blank, restored, cloned), delete, list, capacity, expand; snapshots in LvmBackend.Snapshots.cs.</summary>
internal sealed partial class LvmBackend(DriverOptions options, ILvm lvm, Locks locks) : IBackend, ISnapshotBackend
{
    public string Name => Backends.Backends.Lvm;

    public bool Owns(string volumeId) => VolumeId.TryParse(volumeId) is { } id && options.VolumeGroups.Contains(id.Vg);

    public void ValidateParameters(IReadOnlyDictionary<string, string> parameters) => VolumeParameters.Parse(parameters, options);

    public ISnapshotBackend Snapshots => this;

    public bool OwnsSnapshot(string snapshotId) => SnapshotId.TryParse(snapshotId) is { } id && options.VolumeGroups.Contains(id.Vg);

    /// <summary>An LV is local to its node: nothing to publish (the LVM CSIDriver has attachRequired false).</summary>
    public Task<ControllerPublishVolumeResponse> ControllerPublishVolume(ControllerPublishVolumeRequest request) =>
        throw new CsiException(CsiFault.FailedPrecondition, $"volume {request.VolumeId} is a local LV: it is not published by a controller");

    public Task<ControllerUnpublishVolumeResponse> ControllerUnpublishVolume(ControllerUnpublishVolumeRequest request) =>
        Task.FromResult(new ControllerUnpublishVolumeResponse());

    /// <summary>Ready when lvm2 answers and every configured VG is present.</summary>
    public async Task ProbeAsync()
    {
        var vgs = (await lvm.VolumeGroupsAsync()).Select(v => v.Name).ToHashSet();
        var missing = options.VolumeGroups.Where(v => !vgs.Contains(v)).ToList();
        if (missing.Count > 0) throw new CsiException(CsiFault.FailedPrecondition, $"volume group(s) not found: {string.Join(", ", missing)}");
    }

    public async Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request)
    {
        var p = VolumeParameters.Parse(request.Parameters, options);
        RequireReachable(request.AccessibilityRequirements);
        using var inFlight = locks.Volume("name:" + request.Name);
        using var vgLock = await locks.VolumeGroupAsync(p.VolumeGroup);

        var (vg, lvs) = await lvm.ReportAsync(p.VolumeGroup)
            ?? throw new CsiException(CsiFault.FailedPrecondition, $"volume group {p.VolumeGroup} is not present on this node");
        var id = new VolumeId(vg.Name, VolumeId.LvNameFor(request.Name));
        string? from = ContentSource.Describe(request.VolumeContentSource);

        var existing = lvs.FirstOrDefault(l => l.Name == id.Lv);
        if (existing is not null) return await Existing(request, p, id, existing, from);

        if (request.VolumeContentSource is { } source)
        {
            var origin = ContentSource.Resolve(source, vg.Name, lvs);
            return await CreateFromSource(request, p, vg, id, origin, lvs, from!);
        }

        var capacity = new Capacity(vg.ExtentBytes, options.DefaultVolumeBytes);
        long size = capacity.Size(request.CapacityRange, p.FsType);
        if (p.ThinPool is null) Capacity.RequireRoom(size, size, vg.SizeBytes, vg.FreeBytes, $"volume group {vg.Name}");
        else
        {
            var pool = lvs.FirstOrDefault(l => l.Name == p.ThinPool && l.IsThinPool)
                ?? throw CsiException.Invalid($"thin pool {vg.Name}/{p.ThinPool} does not exist");
            RequireThinRoom(pool, lvs, size);
        }

        await lvm.CreateAsync(vg.Name, id.Lv, size, p.ThinPool, [VolumeId.OwnerTag, VolumeId.NameTag(request.Name)]);
        // lvcreate made exactly the extent-rounded size asked for: no second lvs round trip.
        return Response(id, size, p, null);
    }

    /// <summary>
    /// The name is the idempotency key: an LV with our name tag, the same pool, source and a fitting size means this call
    /// already succeeded. A restore that grows its copy may have died between lvcreate and lvextend: the retry finishes it.
    /// </summary>
    async Task<CreateVolumeResponse> Existing(CreateVolumeRequest request, VolumeParameters p, VolumeId id, LvInfo existing, string? from)
    {
        long required = request.CapacityRange?.RequiredBytes ?? 0;
        bool ours = existing.Tags.Contains(VolumeId.NameTag(request.Name)) && existing.Tags.Contains(VolumeId.OwnerTag);
        bool same = ours && existing.PoolLv == (p.ThinPool ?? "") && LvTags.Value(existing, LvTags.FromPrefix) == from;
        bool underLimit = request.CapacityRange is not { LimitBytes: > 0 } r || existing.SizeBytes <= r.LimitBytes;
        if (same && underLimit && existing.SizeBytes < required && from is not null)
        {
            await lvm.ExtendAsync(id.Vg, id.Lv, required);
            existing = existing with { SizeBytes = required };
        }
        if (!same || !underLimit || existing.SizeBytes < required)
            throw new CsiException(CsiFault.AlreadyExists,
                $"volume {request.Name} exists as {id} with {existing.SizeBytes} bytes{(existing.PoolLv.Length > 0 ? " in pool " + existing.PoolLv : "")}" +
                $"{(LvTags.Value(existing, LvTags.FromPrefix) is { } f ? " from " + f : "")}, incompatible with this request");
        return Response(id, existing.SizeBytes, p, request.VolumeContentSource);
    }

    /// <summary>
    /// Restore (from a snapshot) or clone (from a volume): a writable, active thin snapshot of the source in the same pool,
    /// grown when more is asked for; the filesystem grows at NodeStage. Smaller than the source is OUT_OF_RANGE.
    /// </summary>
    async Task<CreateVolumeResponse> CreateFromSource(CreateVolumeRequest request, VolumeParameters p, VgInfo vg, VolumeId id, LvInfo origin,
        IReadOnlyList<LvInfo> lvs, string from)
    {
        if (p.ThinPool is null || origin.PoolLv != p.ThinPool)
            throw CsiException.Invalid($"{from} lives in thin pool {origin.PoolLv}; a volume made from it must ask for thinPool {origin.PoolLv}");
        long size = request.CapacityRange is { RequiredBytes: > 0 } ? new Capacity(vg.ExtentBytes, options.DefaultVolumeBytes).Size(request.CapacityRange, null) : origin.SizeBytes;
        if (size < origin.SizeBytes)
            throw new CsiException(CsiFault.OutOfRange, $"{size} bytes is smaller than the source {from} ({origin.SizeBytes} bytes)");
        if (request.CapacityRange is { LimitBytes: > 0 } range && size > range.LimitBytes)
            throw new CsiException(CsiFault.OutOfRange, $"the source {from} holds {origin.SizeBytes} bytes, more than limit_bytes {range.LimitBytes}");
        var pool = lvs.First(l => l.Name == origin.PoolLv);
        RequireThinRoom(pool, lvs, size);

        await lvm.SnapshotAsync(vg.Name, origin.Name, id.Lv, [VolumeId.OwnerTag, VolumeId.NameTag(request.Name), LvTags.From(from)], activate: true);
        if (size > origin.SizeBytes) await lvm.ExtendAsync(vg.Name, id.Lv, size);
        return Response(id, size, p, request.VolumeContentSource);
    }

    public async Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request)
    {
        // Not an ID we issue, or a VG we do not serve: nothing of ours to delete, which is success (idempotent).
        if (VolumeId.TryParse(request.VolumeId) is not { } id || !options.VolumeGroups.Contains(id.Vg)) return new DeleteVolumeResponse();
        using var inFlight = locks.Volume(id.ToString());
        using var vgLock = await locks.VolumeGroupAsync(id.Vg);
        var lv = (await lvm.ReportAsync(id.Vg))?.Lvs.FirstOrDefault(l => l.Name == id.Lv);
        if (lv is null || !lv.Tags.Contains(VolumeId.OwnerTag)) return new DeleteVolumeResponse();
        if (lv.IsOpen) throw new CsiException(CsiFault.FailedPrecondition, $"volume {id} is still in use (mounted or open)");
        await lvm.RemoveAsync(id.Vg, id.Lv);
        return new DeleteVolumeResponse();
    }

    /// <summary>Grows the LV; the filesystem grows in NodeExpandVolume (online: ext4 and xfs both grow mounted).</summary>
    public async Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request)
    {
        var id = VolumeId.Require(request.VolumeId);
        if (!options.VolumeGroups.Contains(id.Vg)) throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        using var inFlight = locks.Volume(id.ToString());
        long size = await VolumeGrowth.GrowAsync(lvm, locks, options, id, request.CapacityRange);
        return new ControllerExpandVolumeResponse { CapacityBytes = size, NodeExpansionRequired = true };
    }

    public async Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request)
    {
        var id = VolumeId.Require(request.VolumeId);
        if (!options.VolumeGroups.Contains(id.Vg) || await FindAsync(id) is null)
            throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        return CapabilityAnswer.For(request, p => VolumeParameters.Parse(p, options));
    }

    /// <summary>Our volumes across the node's VGs (the service orders and pages them).</summary>
    public async Task<IReadOnlyList<ListVolumesResponse.Types.Entry>> ListAll()
    {
        var present = (await lvm.VolumeGroupsAsync()).Select(v => v.Name).ToHashSet();
        var all = new List<(string Id, LvInfo Lv)>();
        foreach (var vg in options.VolumeGroups.Where(present.Contains))
            foreach (var lv in await lvm.LogicalVolumesAsync(vg))
                if (lv.Tags.Contains(VolumeId.OwnerTag)) all.Add(($"{vg}/{lv.Name}", lv));
        return all.Select(v => new ListVolumesResponse.Types.Entry
        {
            Volume = new Volume { VolumeId = v.Id, CapacityBytes = v.Lv.SizeBytes, AccessibleTopology = { NodeTopology() } },
        }).ToList();
    }

    public async Task<GetCapacityResponse> GetCapacity(GetCapacityRequest request)
    {
        if (request.AccessibleTopology is { } t && t.Segments.TryGetValue(DriverOptions.TopologyKey, out var node) && node != options.NodeId)
            return new GetCapacityResponse { AvailableCapacity = 0 };
        var vgs = await lvm.VolumeGroupsAsync();
        if (request.Parameters.Count == 0)
            return new GetCapacityResponse { AvailableCapacity = vgs.Where(v => options.VolumeGroups.Contains(v.Name)).Sum(v => v.FreeBytes) };

        var p = VolumeParameters.Parse(request.Parameters, options);
        var vg = vgs.FirstOrDefault(v => v.Name == p.VolumeGroup);
        if (vg is null) return new GetCapacityResponse { AvailableCapacity = 0 };
        if (p.ThinPool is null)
            return new GetCapacityResponse { AvailableCapacity = vg.FreeBytes, MaximumVolumeSize = vg.FreeBytes };
        var lvs = await lvm.LogicalVolumesAsync(vg.Name);
        var pool = lvs.FirstOrDefault(l => l.Name == p.ThinPool && l.IsThinPool);
        long available = pool is null ? 0 : ThinAvailable(pool, lvs);
        return new GetCapacityResponse { AvailableCapacity = available, MaximumVolumeSize = available };
    }

    async Task<LvInfo?> FindAsync(VolumeId id)
    {
        return (await lvm.ReportAsync(id.Vg))?.Lvs.FirstOrDefault(l => l.Name == id.Lv && l.Tags.Contains(VolumeId.OwnerTag));
    }

    void RequireThinRoom(LvInfo pool, IEnumerable<LvInfo> lvs, long size) =>
        Capacity.RequireRoom(size, size, (long)(pool.SizeBytes * options.ThinOverProvisionRatio), ThinAvailable(pool, lvs), $"thin pool {pool.Name}");

    long ThinAvailable(LvInfo pool, IEnumerable<LvInfo> lvs) => VolumeGrowth.ThinAvailable(pool, lvs, options.ThinOverProvisionRatio);

    void RequireReachable(TopologyRequirement? req)
    {
        if (req is null || req.Requisite.Count == 0) return;
        bool ours = req.Requisite.Any(t => !t.Segments.TryGetValue(DriverOptions.TopologyKey, out var n) || n == options.NodeId);
        if (!ours) throw new CsiException(CsiFault.ResourceExhausted, $"the requisite topology excludes node {options.NodeId}, the only one this driver serves");
    }

    Topology NodeTopology() => new() { Segments = { [DriverOptions.TopologyKey] = options.NodeId } };

    CreateVolumeResponse Response(VolumeId id, long size, VolumeParameters p, VolumeContentSource? source)
    {
        var volume = new Volume
        {
            VolumeId = id.ToString(),
            CapacityBytes = size,
            VolumeContext = { p.ToContext() },
            AccessibleTopology = { NodeTopology() },
        };
        if (source is not null)
        {
            volume.ContentSource = source;
            // NodeStage grows the copied filesystem to the volume and mounts an xfs copy with nouuid.
            volume.VolumeContext[ContentSource.ContextKey] = ContentSource.Describe(source)!;
        }
        return new CreateVolumeResponse { Volume = volume };
    }
}

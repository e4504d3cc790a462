using System.Globalization;
using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Validation;
using Csi.V1;
using global::Grpc.Core;

namespace Cdd.Csi.Services;

/// <summary>Controller for this node's own VGs (node-deployment model): create (blank, restored, cloned), delete, list, capacity, expand; snapshots in ControllerService.Snapshots.cs.</summary>
internal sealed partial class ControllerService(DriverOptions options, ILvm lvm, Locks locks) : Controller.ControllerBase
{
    public const long XfsMinimumBytes = 300L << 20;

    public override async Task<CreateVolumeResponse> CreateVolume(CreateVolumeRequest request, ServerCallContext context)
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

        long size = Size(request.CapacityRange, vg.ExtentBytes, options.DefaultVolumeBytes);
        if (p.FsType == "xfs" && size < XfsMinimumBytes)
        {
            // mkfs.xfs refuses a data section below 300 MiB: grow the volume to that, within the caller's limit.
            size = Size(new CapacityRange { RequiredBytes = XfsMinimumBytes, LimitBytes = request.CapacityRange?.LimitBytes ?? 0 }, vg.ExtentBytes, options.DefaultVolumeBytes);
        }
        if (p.ThinPool is null)
        {
            if (size > vg.SizeBytes) throw new CsiException(CsiFault.OutOfRange, $"{size} bytes is more than volume group {vg.Name} holds ({vg.SizeBytes})");
            if (size > vg.FreeBytes) throw new CsiException(CsiFault.ResourceExhausted, $"volume group {vg.Name} has {vg.FreeBytes} bytes free, {size} requested");
        }
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
        long size = request.CapacityRange is { RequiredBytes: > 0 } ? Size(request.CapacityRange, vg.ExtentBytes, options.DefaultVolumeBytes) : origin.SizeBytes;
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

    public override async Task<DeleteVolumeResponse> DeleteVolume(DeleteVolumeRequest request, ServerCallContext context)
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
    public override async Task<ControllerExpandVolumeResponse> ControllerExpandVolume(ControllerExpandVolumeRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        if (!options.VolumeGroups.Contains(id.Vg)) throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        using var inFlight = locks.Volume(id.ToString());
        long size = await VolumeGrowth.GrowAsync(lvm, locks, options, id, request.CapacityRange);
        return new ControllerExpandVolumeResponse { CapacityBytes = size, NodeExpansionRequired = true };
    }

    public override async Task<ValidateVolumeCapabilitiesResponse> ValidateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request, ServerCallContext context)
    {
        var id = VolumeId.Require(request.VolumeId);
        if (!options.VolumeGroups.Contains(id.Vg) || await FindAsync(id) is null)
            throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        // Unsupported is an answer here, not an error: no `confirmed`, and a message saying why.
        string? problem = request.VolumeCapabilities.Select(RequestValidator.Problem).FirstOrDefault(p => p is not null);
        if (problem is null && request.Parameters.Count > 0)
        {
            try
            {
                VolumeParameters.Parse(request.Parameters, options);
            }
            catch (CsiException e)
            {
                problem = e.Message;
            }
        }
        if (problem is not null) return new ValidateVolumeCapabilitiesResponse { Message = problem };
        return new ValidateVolumeCapabilitiesResponse
        {
            Confirmed = new ValidateVolumeCapabilitiesResponse.Types.Confirmed
            {
                VolumeCapabilities = { request.VolumeCapabilities },
                VolumeContext = { request.VolumeContext },
                Parameters = { request.Parameters },
            },
        };
    }

    /// <summary>Our volumes across the node's VGs, ordered by ID; the token is the ID of the next entry.</summary>
    public override async Task<ListVolumesResponse> ListVolumes(ListVolumesRequest request, ServerCallContext context)
    {
        var present = (await lvm.VolumeGroupsAsync()).Select(v => v.Name).ToHashSet();
        var all = new List<(string Id, LvInfo Lv)>();
        foreach (var vg in options.VolumeGroups.Where(present.Contains))
            foreach (var lv in await lvm.LogicalVolumesAsync(vg))
                if (lv.Tags.Contains(VolumeId.OwnerTag)) all.Add(($"{vg}/{lv.Name}", lv));
        var (page, next) = Page(all, request.StartingToken, request.MaxEntries);
        var response = new ListVolumesResponse { NextToken = next };
        foreach (var (vid, lv) in page)
            response.Entries.Add(new ListVolumesResponse.Types.Entry
            {
                Volume = new Volume { VolumeId = vid, CapacityBytes = lv.SizeBytes, AccessibleTopology = { NodeTopology() } },
            });
        return response;
    }

    /// <summary>
    /// One page of a listing, entries ordered by ID: from the entry whose ID is <paramref name="startingToken"/> (ABORTED
    /// when it is gone: the listing changed under the caller), at most <paramref name="maxEntries"/> (0 = all); the next
    /// token is the ID of the first entry left out, "" when none is.
    /// </summary>
    static (IEnumerable<(string Id, T Item)> Page, string NextToken) Page<T>(List<(string Id, T Item)> all, string startingToken, int maxEntries)
    {
        all.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        int start = 0;
        if (startingToken.Length > 0)
        {
            start = all.FindIndex(v => v.Id == startingToken);
            if (start < 0) throw new CsiException(CsiFault.Aborted, $"starting_token {startingToken} is no longer valid");
        }
        int count = maxEntries > 0 ? Math.Min(maxEntries, all.Count - start) : all.Count - start;
        return (all.Skip(start).Take(count), start + count < all.Count ? all[start + count].Id : "");
    }

    public override async Task<GetCapacityResponse> GetCapacity(GetCapacityRequest request, ServerCallContext context)
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

    public override Task<ControllerGetCapabilitiesResponse> ControllerGetCapabilities(ControllerGetCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new ControllerGetCapabilitiesResponse();
        foreach (var t in new[]
                 {
                     ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteVolume,
                     ControllerServiceCapability.Types.RPC.Types.Type.ListVolumes,
                     ControllerServiceCapability.Types.RPC.Types.Type.GetCapacity,
                     ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteSnapshot,
                     ControllerServiceCapability.Types.RPC.Types.Type.ListSnapshots,
                     ControllerServiceCapability.Types.RPC.Types.Type.CloneVolume,
                 })
            response.Capabilities.Add(new ControllerServiceCapability { Rpc = new ControllerServiceCapability.Types.RPC { Type = t } });
        // external-resizer has no per-node mode: in a DaemonSet, the one elected resizer would ask its own node about every
        // volume. Without this capability it only records the new size, and kubelet calls NodeExpandVolume where the LV is.
        if (!options.ExpandOnNode)
            response.Capabilities.Add(new ControllerServiceCapability
            {
                Rpc = new ControllerServiceCapability.Types.RPC { Type = ControllerServiceCapability.Types.RPC.Types.Type.ExpandVolume },
            });
        return Task.FromResult(response);
    }

    async Task<LvInfo?> FindAsync(VolumeId id)
    {
        return (await lvm.ReportAsync(id.Vg))?.Lvs.FirstOrDefault(l => l.Name == id.Lv && l.Tags.Contains(VolumeId.OwnerTag));
    }

    void RequireThinRoom(LvInfo pool, IEnumerable<LvInfo> lvs, long size)
    {
        if (size > (long)(pool.SizeBytes * options.ThinOverProvisionRatio))
            throw new CsiException(CsiFault.OutOfRange, $"{size} bytes is more than thin pool {pool.Name} may promise");
        long available = ThinAvailable(pool, lvs);
        if (size > available) throw new CsiException(CsiFault.ResourceExhausted, $"thin pool {pool.Name} can promise {available} more bytes, {size} requested");
    }

    long ThinAvailable(LvInfo pool, IEnumerable<LvInfo> lvs) => VolumeGrowth.ThinAvailable(pool, lvs, options.ThinOverProvisionRatio);

    /// <summary>Required bytes (or <paramref name="defaultBytes"/>, the driver's DefaultVolumeBytes) rounded up to whole extents; the limit must leave room for one extent.</summary>
    public static long Size(CapacityRange? range, long extent, long defaultBytes)
    {
        long required = range is { RequiredBytes: > 0 } ? range.RequiredBytes : Math.Min(defaultBytes, range is { LimitBytes: > 0 } ? range.LimitBytes : long.MaxValue);
        long size = (required + extent - 1) / extent * extent;
        if (size == 0) size = extent;
        if (range is { LimitBytes: > 0 } && size > range.LimitBytes)
            throw new CsiException(CsiFault.OutOfRange,
                $"limit_bytes {range.LimitBytes} leaves no room for a whole extent ({extent.ToString(CultureInfo.InvariantCulture)} bytes) at or above required_bytes {range.RequiredBytes}");
        return size;
    }

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

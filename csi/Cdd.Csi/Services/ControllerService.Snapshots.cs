using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Validation;
using Csi.V1;
using global::Grpc.Core;
using Google.Protobuf.WellKnownTypes;

namespace Cdd.Csi.Services;

/// <summary>
/// Snapshots are inactive thin snapshot LVs of thin volumes, ready at once. They are independent of their source: deleting
/// the source volume leaves its snapshots restorable (the source ID stays in their tags and in ListSnapshots).
/// </summary>
internal sealed partial class ControllerService
{
    public override async Task<CreateSnapshotResponse> CreateSnapshot(CreateSnapshotRequest request, ServerCallContext context)
    {
        using var inFlight = locks.Volume("snapshot-name:" + request.Name);
        var source = VolumeId.TryParse(request.SourceVolumeId) is { } s && options.VolumeGroups.Contains(s.Vg) ? s
            : throw new CsiException(CsiFault.NotFound, $"source volume {request.SourceVolumeId} does not exist");
        using var vgLock = await locks.VolumeGroupAsync(source.Vg);
        var lvs = (await lvm.ReportAsync(source.Vg))?.Lvs
            ?? throw new CsiException(CsiFault.NotFound, $"source volume {source} does not exist (no volume group {source.Vg})");
        var id = new SnapshotId(source.Vg, SnapshotId.LvNameFor(request.Name));

        // The name is the idempotency key: the same name for the same source is this call again; for another source it is taken.
        if (lvs.FirstOrDefault(l => l.Name == id.Lv) is { } existing)
        {
            if (!existing.Tags.Contains(VolumeId.NameTag(request.Name)) || LvTags.Value(existing, LvTags.SourcePrefix) != source.ToString())
                throw new CsiException(CsiFault.AlreadyExists,
                    $"snapshot {request.Name} exists as {id} of {LvTags.Value(existing, LvTags.SourcePrefix) ?? "another volume"}, not of {source}");
            return new CreateSnapshotResponse { Snapshot = Snapshot(id, existing) };
        }

        var origin = lvs.FirstOrDefault(l => l.Name == source.Lv && l.Tags.Contains(VolumeId.OwnerTag))
            ?? throw new CsiException(CsiFault.NotFound, $"source volume {source} does not exist");
        if (origin.PoolLv.Length == 0)
            throw new CsiException(CsiFault.FailedPrecondition, $"volume {source} is thick: only thin volumes (StorageClass with thinPool) can be snapshotted");
        var pool = lvs.First(l => l.Name == origin.PoolLv);
        long available = ThinAvailable(pool, lvs);
        if (origin.SizeBytes > available)
            throw new CsiException(CsiFault.ResourceExhausted, $"thin pool {pool.Name} can promise {available} more bytes; a snapshot of {source} needs {origin.SizeBytes}");

        var created = DateTimeOffset.UtcNow;
        var tags = new[] { SnapshotId.OwnerTag, VolumeId.NameTag(request.Name), LvTags.Source(source.ToString()), LvTags.Created(created) };
        await lvm.SnapshotAsync(source.Vg, origin.Name, id.Lv, tags, activate: false);
        return new CreateSnapshotResponse { Snapshot = Snapshot(id, origin with { Name = id.Lv, Tags = tags }) };
    }

    public override async Task<DeleteSnapshotResponse> DeleteSnapshot(DeleteSnapshotRequest request, ServerCallContext context)
    {
        // Not an ID we issue, or a VG we do not serve: nothing of ours to delete, which is success (idempotent).
        if (SnapshotId.TryParse(request.SnapshotId) is not { } id || !options.VolumeGroups.Contains(id.Vg)) return new DeleteSnapshotResponse();
        using var inFlight = locks.Volume(id.ToString());
        using var vgLock = await locks.VolumeGroupAsync(id.Vg);
        var lv = (await lvm.ReportAsync(id.Vg))?.Lvs.FirstOrDefault(l => l.Name == id.Lv);
        if (lv is null || !lv.Tags.Contains(SnapshotId.OwnerTag)) return new DeleteSnapshotResponse();
        // Volumes restored from it are thin snapshots of their own and keep their data.
        await lvm.RemoveAsync(id.Vg, id.Lv);
        return new DeleteSnapshotResponse();
    }

    /// <summary>Our snapshots, optionally one ID or one source volume, ordered by ID; the token is the ID of the next entry.</summary>
    public override async Task<ListSnapshotsResponse> ListSnapshots(ListSnapshotsRequest request, ServerCallContext context)
    {
        var present = (await lvm.VolumeGroupsAsync()).Select(v => v.Name).ToHashSet();
        var all = new List<(string Id, Snapshot Snapshot)>();
        foreach (var vg in options.VolumeGroups.Where(present.Contains))
            foreach (var lv in await lvm.LogicalVolumesAsync(vg))
            {
                if (!lv.Tags.Contains(SnapshotId.OwnerTag)) continue;
                var snap = Snapshot(new SnapshotId(vg, lv.Name), lv);
                // An ID or a source that is not ours simply matches nothing (spec: empty list, not an error).
                if (request.SnapshotId.Length > 0 && snap.SnapshotId != request.SnapshotId) continue;
                if (request.SourceVolumeId.Length > 0 && snap.SourceVolumeId != request.SourceVolumeId) continue;
                all.Add((snap.SnapshotId, snap));
            }
        var (page, next) = Page(all, request.StartingToken, request.MaxEntries);
        var response = new ListSnapshotsResponse { NextToken = next };
        foreach (var (_, snap) in page)
            response.Entries.Add(new ListSnapshotsResponse.Types.Entry { Snapshot = snap });
        return response;
    }

    static Snapshot Snapshot(SnapshotId id, LvInfo lv) => new()
    {
        SnapshotId = id.ToString(),
        SourceVolumeId = LvTags.Value(lv, LvTags.SourcePrefix) ?? "",
        SizeBytes = lv.SizeBytes,
        CreationTime = Timestamp.FromDateTimeOffset(LvTags.CreatedAt(lv) ?? DateTimeOffset.UnixEpoch),
        // A thin snapshot is complete the moment lvcreate returns: nothing is copied in the background.
        ReadyToUse = true,
    };
}

using Csi.V1;
using Grpc.Core;
using static Cdd.Csi.Tests.Conformance.CsiRequests;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>Snapshots, restores and clones against the running driver in the VM tier, on a real thin pool.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class SnapshotConformanceTests(CsiGuest guest) : IClassFixture<CsiGuest>
{
    readonly Controller.ControllerClient _controller = new(guest.Channel);
    readonly global::Csi.V1.Node.NodeClient _node = new(guest.Channel);
    readonly Cdd.Vm.Vm _vm = guest.Vm;

    string Guest(string script) => _vm.Run(script).EnsureSuccess(script).Stdout;

    async Task Mount(Volume v, string name)
    {
        await _node.NodeStageVolumeAsync(StageReq(v, name));
        await _node.NodeStageVolumeAsync(StageReq(v, name));
        await _node.NodePublishVolumeAsync(PublishReq(v, name));
        await _node.NodePublishVolumeAsync(PublishReq(v, name));
    }

    async Task Unmount(Volume v, string name)
    {
        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target(name) });
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging(name) });
    }

    static CreateVolumeRequest FromSnapshot(string name, long bytes, string snapshotId)
    {
        var r = CreateReq(name, bytes, thin: true);
        r.VolumeContentSource = new VolumeContentSource { Snapshot = new VolumeContentSource.Types.SnapshotSource { SnapshotId = snapshotId } };
        return r;
    }

    static CreateVolumeRequest FromVolume(string name, long bytes, string volumeId, bool thin = true)
    {
        var r = CreateReq(name, bytes, thin);
        r.VolumeContentSource = new VolumeContentSource { Volume = new VolumeContentSource.Types.VolumeSource { VolumeId = volumeId } };
        return r;
    }

    [Fact]
    public async Task Snapshot_outlives_its_deleted_source_and_restores_the_data_of_its_moment_into_a_larger_volume()
    {
        var source = (await _controller.CreateVolumeAsync(CreateReq("snap-src", 32 * Mi, thin: true))).Volume;
        await Mount(source, "snap-src");
        Guest($"echo at-snapshot > '{Target("snap-src")}/data' && sync");

        var take = new CreateSnapshotRequest { Name = "snap-1", SourceVolumeId = source.VolumeId };
        var snap = (await _controller.CreateSnapshotAsync(take)).Snapshot;
        var again = (await _controller.CreateSnapshotAsync(take)).Snapshot;
        Assert.Equal(snap, again);
        Assert.True(snap.ReadyToUse);
        Assert.Equal(32 * Mi, snap.SizeBytes);
        Assert.Equal(source.VolumeId, snap.SourceVolumeId);
        Assert.InRange(snap.CreationTime.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));

        // Writes after the snapshot do not reach it; the source can go away, the snapshot stays (documented behaviour).
        Guest($"echo after-snapshot > '{Target("snap-src")}/data' && sync");
        await Unmount(source, "snap-src");
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = source.VolumeId });
        AssertGone(_vm, source.VolumeId, "snap-src");
        var listed = await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SnapshotId = snap.SnapshotId });
        Assert.Equal(snap, Assert.Single(listed.Entries).Snapshot);
        Assert.Equal(snap, Assert.Single((await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SourceVolumeId = source.VolumeId })).Entries).Snapshot);

        await Fails(StatusCode.OutOfRange, _controller.CreateVolumeAsync(FromSnapshot("restored-small", 16 * Mi, snap.SnapshotId)).ResponseAsync);
        var restore = FromSnapshot("restored", 64 * Mi, snap.SnapshotId);
        var restored = (await _controller.CreateVolumeAsync(restore)).Volume;
        Assert.Equal(restored, (await _controller.CreateVolumeAsync(restore)).Volume);
        Assert.Equal(64 * Mi, restored.CapacityBytes);
        Assert.Equal(snap.SnapshotId, restored.ContentSource.Snapshot.SnapshotId);

        await Mount(restored, "restored");
        Assert.Equal("at-snapshot\n", Guest($"cat '{Target("restored")}/data'"));
        long fsBytes = long.Parse(Guest($"df -B1 --output=size '{Target("restored")}' | tail -1").Trim());
        Assert.True(fsBytes > 40 * Mi, $"the restored filesystem was not grown to its 64 MiB volume: {fsBytes} bytes");
        Guest($"echo restored-writable > '{Target("restored")}/new' && sync");

        var volumes = (await _controller.ListVolumesAsync(new ListVolumesRequest())).Entries.Select(e => e.Volume.VolumeId).ToList();
        Assert.Contains(restored.VolumeId, volumes);
        Assert.DoesNotContain(snap.SnapshotId, volumes);

        // Deleting the snapshot leaves the restored volume and its data alone.
        await _controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snap.SnapshotId });
        await _controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snap.SnapshotId });
        Assert.Empty((await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SnapshotId = snap.SnapshotId })).Entries);
        Assert.Equal("at-snapshot\n", Guest($"cat '{Target("restored")}/data'"));

        await Unmount(restored, "restored");
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = restored.VolumeId });
        AssertGone(_vm, restored.VolumeId, "restored");
        AssertGone(_vm, snap.SnapshotId, "snap-1");
        Assert.Equal("", Guest($"lvs --noheadings -o lv_name {CsiGuest.Vg} | grep -e restored-small -e {Cdd.Csi.Validation.VolumeId.LvNameFor("restored-small")}; true"));
    }

    [Fact]
    public async Task Clone_of_a_published_volume_reads_its_data_and_each_call_repeats()
    {
        var source = (await _controller.CreateVolumeAsync(CreateReq("clone-src", 24 * Mi, thin: true))).Volume;
        await Mount(source, "clone-src");
        Guest($"echo cloned-payload > '{Target("clone-src")}/data' && sync");

        var clone = FromVolume("clone-1", 0, source.VolumeId);
        var made = (await _controller.CreateVolumeAsync(clone)).Volume;
        Assert.Equal(made, (await _controller.CreateVolumeAsync(clone)).Volume);
        Assert.Equal(24 * Mi, made.CapacityBytes);
        Assert.Equal(source.VolumeId, made.ContentSource.Volume.VolumeId);

        // The clone is its own volume: published beside its still-mounted source, writes to one do not show in the other.
        await Mount(made, "clone-1");
        Assert.Equal("cloned-payload\n", Guest($"cat '{Target("clone-1")}/data'"));
        Guest($"echo clone-only > '{Target("clone-1")}/data' && sync");
        Assert.Equal("cloned-payload\n", Guest($"cat '{Target("clone-src")}/data'"));

        // The same name with another source is taken.
        await Fails(StatusCode.AlreadyExists, _controller.CreateVolumeAsync(CreateReq("clone-1", 24 * Mi, thin: true)).ResponseAsync);

        foreach (var (v, n) in new[] { (made, "clone-1"), (source, "clone-src") })
        {
            await Unmount(v, n);
            await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
            AssertGone(_vm, v.VolumeId, n);
        }
    }

    [Fact]
    public async Task Bad_snapshot_and_source_requests_get_the_codes_the_spec_names_and_change_nothing()
    {
        string before = Guest($"lvs --noheadings -o lv_name {CsiGuest.Vg} | sort");
        string unknownVolume = $"{CsiGuest.Vg}/csi-{new string('e', 40)}";
        string unknownSnapshot = $"{CsiGuest.Vg}/snap-{new string('e', 40)}";
        await Fails(StatusCode.NotFound, _controller.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "s-unknown", SourceVolumeId = unknownVolume }).ResponseAsync);
        await Fails(StatusCode.NotFound, _controller.CreateVolumeAsync(FromSnapshot("r-unknown", 8 * Mi, unknownSnapshot)).ResponseAsync);
        await Fails(StatusCode.NotFound, _controller.CreateVolumeAsync(FromVolume("c-unknown", 8 * Mi, unknownVolume)).ResponseAsync);
        Assert.Empty((await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SnapshotId = unknownSnapshot })).Entries);
        Assert.Empty((await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SnapshotId = "not-even-an-id" })).Entries);
        await _controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = unknownSnapshot });
        Assert.Equal(before, Guest($"lvs --noheadings -o lv_name {CsiGuest.Vg} | sort"));

        var thick = (await _controller.CreateVolumeAsync(CreateReq("thick-src", 8 * Mi))).Volume;
        var thin = (await _controller.CreateVolumeAsync(CreateReq("thin-src", 8 * Mi, thin: true))).Volume;
        var thin2 = (await _controller.CreateVolumeAsync(CreateReq("thin-src-2", 8 * Mi, thin: true))).Volume;
        await Fails(StatusCode.FailedPrecondition, _controller.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "s-thick", SourceVolumeId = thick.VolumeId }).ResponseAsync);
        await Fails(StatusCode.InvalidArgument, _controller.CreateVolumeAsync(FromVolume("c-thick", 8 * Mi, thick.VolumeId)).ResponseAsync);
        await Fails(StatusCode.InvalidArgument, _controller.CreateVolumeAsync(FromVolume("c-into-thick", 8 * Mi, thin.VolumeId, thin: false)).ResponseAsync);

        var snap = (await _controller.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "s-taken", SourceVolumeId = thin.VolumeId })).Snapshot;
        await Fails(StatusCode.AlreadyExists, _controller.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "s-taken", SourceVolumeId = thin2.VolumeId }).ResponseAsync);
        Assert.Equal(snap, Assert.Single((await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SourceVolumeId = thin.VolumeId })).Entries).Snapshot);
        Assert.Empty((await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { SourceVolumeId = thin2.VolumeId })).Entries);

        await _controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snap.SnapshotId });
        foreach (var v in new[] { thick, thin, thin2 }) await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        Assert.Equal(before, Guest($"lvs --noheadings -o lv_name {CsiGuest.Vg} | sort"));
    }

    [Fact]
    public async Task List_snapshots_pages_through_every_snapshot_once()
    {
        var v = (await _controller.CreateVolumeAsync(CreateReq("page-snap-src", 4 * Mi, thin: true))).Volume;
        var made = new List<string>();
        foreach (var n in new[] { "ps-a", "ps-b", "ps-c" })
            made.Add((await _controller.CreateSnapshotAsync(new CreateSnapshotRequest { Name = n, SourceVolumeId = v.VolumeId })).Snapshot.SnapshotId);

        var seen = await PageThrough(async p =>
        {
            var page = await _controller.ListSnapshotsAsync(new ListSnapshotsRequest { MaxEntries = p.MaxEntries, StartingToken = p.StartingToken });
            return (page.Entries.Select(e => e.Snapshot.SnapshotId), page.NextToken);
        });
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Superset(made.ToHashSet(), seen.ToHashSet());
        await Fails(StatusCode.Aborted, _controller.ListSnapshotsAsync(new ListSnapshotsRequest { StartingToken = $"{CsiGuest.Vg}/snap-{new string('0', 40)}" }).ResponseAsync);

        foreach (var id in made) await _controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = id });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
    }
}

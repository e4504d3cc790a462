using Csi.V1;
using Grpc.Core;
using static Cdd.Csi.Tests.Conformance.CsiRequests;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>
/// The running driver in the VM tier, over gRPC from the host, on a real VG with a thin pool on a virtual disk.
/// Each test uses its own volume names and cleans up what it made.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class LvmDriverConformanceTests(CsiGuest guest) : IClassFixture<CsiGuest>
{
    readonly Controller.ControllerClient _controller = new(guest.Channel);
    readonly global::Csi.V1.Node.NodeClient _node = new(guest.Channel);
    readonly Cdd.Vm.Vm _vm = guest.Vm;

    string Guest(string script) => _vm.Run(script).EnsureSuccess(script).Stdout;

    void AssertGone(string volumeId, string name) => CsiRequests.AssertGone(_vm, volumeId, name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Lifecycle_with_each_call_repeated_writes_data_and_leaves_no_lv_mount_or_device(bool thin)
    {
        string name = thin ? "life-thin" : "life-thick";
        var created = (await _controller.CreateVolumeAsync(CreateReq(name, 40 * Mi, thin))).Volume;
        var again = (await _controller.CreateVolumeAsync(CreateReq(name, 40 * Mi, thin))).Volume;
        Assert.Equal(created.VolumeId, again.VolumeId);
        Assert.Equal(40 * Mi, created.CapacityBytes); // 40 MiB is 10 whole 4 MiB extents
        Assert.Equal(CsiGuest.NodeId, created.AccessibleTopology[0].Segments["topology.cdd.io/node"]);

        await _node.NodeStageVolumeAsync(StageReq(created, name));
        await _node.NodeStageVolumeAsync(StageReq(created, name));
        await _node.NodePublishVolumeAsync(PublishReq(created, name));
        await _node.NodePublishVolumeAsync(PublishReq(created, name));
        Guest($"echo payload-{name} > '{Target(name)}/data' && sync");
        Assert.Equal($"payload-{name}\n", Guest($"cat '{Staging(name)}/data'"));

        var stats = await _node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = created.VolumeId, VolumePath = Target(name) });
        var bytes = stats.Usage.Single(u => u.Unit == VolumeUsage.Types.Unit.Bytes);
        var inodes = stats.Usage.Single(u => u.Unit == VolumeUsage.Types.Unit.Inodes);
        Assert.InRange(bytes.Total, 20 * Mi, 40 * Mi);
        Assert.True(bytes.Used > 0 && inodes.Used > 0 && inodes.Total > inodes.Used);
        Assert.False(stats.VolumeCondition.Abnormal);

        await Fails(StatusCode.FailedPrecondition, _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = created.VolumeId }).ResponseAsync);

        var unpublish = new NodeUnpublishVolumeRequest { VolumeId = created.VolumeId, TargetPath = Target(name) };
        await _node.NodeUnpublishVolumeAsync(unpublish);
        await _node.NodeUnpublishVolumeAsync(unpublish);
        Assert.Equal("", Guest($"test -e '{Target(name)}' && echo target-left; true"));
        var unstage = new NodeUnstageVolumeRequest { VolumeId = created.VolumeId, StagingTargetPath = Staging(name) };
        await _node.NodeUnstageVolumeAsync(unstage);
        await _node.NodeUnstageVolumeAsync(unstage);
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = created.VolumeId });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = created.VolumeId });

        AssertGone(created.VolumeId, name);
    }

    [Fact]
    public async Task Same_name_with_another_size_is_already_exists_and_changes_nothing()
    {
        var v = (await _controller.CreateVolumeAsync(CreateReq("same-name", 8 * Mi))).Volume;
        await Fails(StatusCode.AlreadyExists, _controller.CreateVolumeAsync(CreateReq("same-name", 16 * Mi)).ResponseAsync);
        await Fails(StatusCode.AlreadyExists, _controller.CreateVolumeAsync(CreateReq("same-name", 8 * Mi, thin: true)).ResponseAsync);
        Assert.Equal($"{8 * Mi}\n", Guest($"lvs --noheadings --units b --nosuffix -o lv_size {v.VolumeId} | tr -d ' '"));
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(v.VolumeId, "same-name");
    }

    [Fact]
    public async Task Volume_whose_lv_already_holds_a_filesystem_with_data_is_never_reformatted()
    {
        var v = (await _controller.CreateVolumeAsync(CreateReq("has-data", 32 * Mi))).Volume;
        string dev = "/dev/" + v.VolumeId;
        Guest($"mkfs.ext4 -q {dev} && mkdir -p /mnt/pre && mount {dev} /mnt/pre && echo precious > /mnt/pre/keep && umount /mnt/pre");

        await _node.NodeStageVolumeAsync(StageReq(v, "has-data"));
        Assert.Equal("precious\n", Guest($"cat '{Staging("has-data")}/keep'"));
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging("has-data") });

        // Another filesystem than the one asked for: refused, and the data stays.
        var xfsCap = Cap("xfs");
        await Fails(StatusCode.FailedPrecondition, _node.NodeStageVolumeAsync(StageReq(v, "has-data", xfsCap)).ResponseAsync);
        Assert.Contains("TYPE=ext4", Guest($"blkid -p -o export {dev}"));
        Guest($"mount -o ro {dev} /mnt/pre && cat /mnt/pre/keep && umount /mnt/pre");

        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(v.VolumeId, "has-data");
    }

    [Fact]
    public async Task Read_only_publish_refuses_writes()
    {
        var v = (await _controller.CreateVolumeAsync(CreateReq("ro-pub", 16 * Mi, thin: true, fs: "xfs"))).Volume;
        Assert.Equal(300 * Mi, v.CapacityBytes); // grown to the 300 MiB xfs needs
        var stage = StageReq(v, "ro-pub", Cap("xfs"));
        await _node.NodeStageVolumeAsync(stage);
        var publish = PublishReq(v, "ro-pub", readOnly: true);
        publish.VolumeCapability = Cap("xfs");
        await _node.NodePublishVolumeAsync(publish);
        await _node.NodePublishVolumeAsync(publish);
        var w = _vm.Run($"touch '{Target("ro-pub")}/x'");
        Assert.NotEqual(0, w.ExitCode);
        Assert.Contains("Read-only", w.Stderr);
        Guest($"touch '{Staging("ro-pub")}/writable-at-staging'");

        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target("ro-pub") });
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging("ro-pub") });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(v.VolumeId, "ro-pub");
    }

    [Fact]
    public async Task List_volumes_pages_through_every_volume_once_and_refuses_a_stale_token()
    {
        var made = new List<string>();
        foreach (var n in new[] { "page-a", "page-b", "page-c" })
            made.Add((await _controller.CreateVolumeAsync(CreateReq(n, 4 * Mi, thin: true))).Volume.VolumeId);

        var seen = await PageThrough(async p =>
        {
            var page = await _controller.ListVolumesAsync(new ListVolumesRequest { MaxEntries = p.MaxEntries, StartingToken = p.StartingToken });
            return (page.Entries.Select(e => e.Volume.VolumeId), page.NextToken);
        });
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Superset(made.ToHashSet(), seen.ToHashSet());

        await Fails(StatusCode.Aborted, _controller.ListVolumesAsync(new ListVolumesRequest { StartingToken = "cddvg/csi-" + new string('0', 40) }).ResponseAsync);

        foreach (var id in made) await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = id });
        var after = await _controller.ListVolumesAsync(new ListVolumesRequest());
        Assert.Empty(after.Entries.Select(e => e.Volume.VolumeId).Intersect(made));
    }

    [Fact]
    public async Task Capacity_shrinks_by_the_volume_and_a_volume_larger_than_the_vg_is_out_of_range()
    {
        var thick = new GetCapacityRequest { Parameters = { ["volumeGroup"] = CsiGuest.Vg } };
        long before = (await _controller.GetCapacityAsync(thick)).AvailableCapacity;
        var v = (await _controller.CreateVolumeAsync(CreateReq("cap", 12 * Mi))).Volume;
        long after = (await _controller.GetCapacityAsync(thick)).AvailableCapacity;
        Assert.Equal(before - 12 * Mi, after);

        await Fails(StatusCode.OutOfRange, _controller.CreateVolumeAsync(CreateReq("too-big", 3L << 30)).ResponseAsync);
        var thinCap = new GetCapacityRequest { Parameters = { ["volumeGroup"] = CsiGuest.Vg, ["thinPool"] = CsiGuest.Pool } };
        Assert.InRange((await _controller.GetCapacityAsync(thinCap)).AvailableCapacity, 1, 512 * Mi);
        Assert.Equal("", Guest($"lvs --noheadings -o lv_tags {CsiGuest.Vg} | grep {Cdd.Csi.Validation.VolumeId.NameTag("too-big")}; true"));

        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        Assert.Equal(before, (await _controller.GetCapacityAsync(thick)).AvailableCapacity);
    }

    [Fact]
    public async Task Sizes_off_the_volume_group_and_bad_parameters_are_refused_and_change_nothing()
    {
        string before = Guest($"lvs --noheadings -o lv_name,lv_size,lv_tags {CsiGuest.Vg} | sort");
        var belowExtent = CreateReq("tiny", 0);
        belowExtent.CapacityRange = new CapacityRange { LimitBytes = 1 * Mi }; // the VG's extents are 4 MiB
        await Fails(StatusCode.OutOfRange, _controller.CreateVolumeAsync(belowExtent).ResponseAsync);
        var between = CreateReq("between", 5 * Mi);
        between.CapacityRange.LimitBytes = 7 * Mi; // no whole extent from 5 to 7 MiB
        await Fails(StatusCode.OutOfRange, _controller.CreateVolumeAsync(between).ResponseAsync);
        await Fails(StatusCode.OutOfRange, _controller.CreateVolumeAsync(CreateReq("above-vg", 3L << 30)).ResponseAsync);
        await Fails(StatusCode.OutOfRange, _controller.CreateVolumeAsync(CreateReq("above-pool", 1L << 30, thin: true)).ResponseAsync);
        var unknown = CreateReq("unknown-param", 8 * Mi);
        unknown.Parameters["stripes"] = "2";
        await Fails(StatusCode.InvalidArgument, _controller.CreateVolumeAsync(unknown).ResponseAsync);
        var badMount = CreateReq("bad-mount", 8 * Mi);
        badMount.VolumeCapabilities[0] = Cap(flags: "exec,suid");
        await Fails(StatusCode.InvalidArgument, _controller.CreateVolumeAsync(badMount).ResponseAsync);
        Assert.Equal(before, Guest($"lvs --noheadings -o lv_name,lv_size,lv_tags {CsiGuest.Vg} | sort"));

        var v = (await _controller.CreateVolumeAsync(CreateReq("bad-node", 8 * Mi))).Volume;
        await Fails(StatusCode.InvalidArgument, _node.NodeStageVolumeAsync(StageReq(v, "bad-node", Cap(flags: "loop"))).ResponseAsync);
        var outside = StageReq(v, "bad-node");
        outside.StagingTargetPath = "/mnt/outside";
        await Fails(StatusCode.InvalidArgument, _node.NodeStageVolumeAsync(outside).ResponseAsync);
        Assert.Equal("", Guest($"grep -e /mnt/outside -e bad-node /proc/mounts; blkid -p /dev/{v.VolumeId}; true"));
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        Assert.Equal(before, Guest($"lvs --noheadings -o lv_name,lv_size,lv_tags {CsiGuest.Vg} | sort"));
    }

    [Fact]
    public async Task Unknown_volume_is_not_found_on_the_node_and_deleting_it_succeeds()
    {
        string unknown = $"{CsiGuest.Vg}/csi-{new string('f', 40)}";
        await Fails(StatusCode.NotFound, _node.NodeStageVolumeAsync(new NodeStageVolumeRequest
        {
            VolumeId = unknown, StagingTargetPath = Staging("nope"), VolumeCapability = Cap(),
        }).ResponseAsync);
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = unknown });
    }

    [Fact]
    public async Task Node_expand_alone_grows_the_lv_and_the_mounted_filesystem_as_the_expand_on_node_deployment_needs()
    {
        const string name = "grow-on-node";
        var v = (await _controller.CreateVolumeAsync(CreateReq(name, 40 * Mi, thin: true))).Volume;
        await _node.NodeStageVolumeAsync(StageReq(v, name));
        await _node.NodePublishVolumeAsync(PublishReq(v, name));
        Guest($"echo kept > '{Target(name)}/keep' && sync");

        var grow = new NodeExpandVolumeRequest { VolumeId = v.VolumeId, VolumePath = Target(name), CapacityRange = new CapacityRange { RequiredBytes = 80 * Mi } };
        long fsBytes = (await _node.NodeExpandVolumeAsync(grow)).CapacityBytes;
        Assert.Equal(fsBytes, (await _node.NodeExpandVolumeAsync(grow)).CapacityBytes);
        Assert.Equal($"{80 * Mi}\n", Guest($"lvs --noheadings --units b --nosuffix -o lv_size {v.VolumeId} | tr -d ' '"));
        Assert.True(fsBytes > 60 * Mi, $"filesystem {fsBytes} bytes after growing to 80 MiB");
        Assert.Equal("kept\n", Guest($"cat '{Target(name)}/keep'"));
        grow.CapacityRange.RequiredBytes = 4L << 30;
        await Fails(StatusCode.OutOfRange, _node.NodeExpandVolumeAsync(grow).ResponseAsync);

        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target(name) });
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging(name) });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(v.VolumeId, name);
    }

    [Theory]
    [InlineData(false, "ext4", 40, 80)]
    [InlineData(true, "xfs", 300, 340)]
    public async Task Expand_while_published_grows_the_lv_and_the_mounted_filesystem_and_keeps_the_data(bool thin, string fs, int fromMi, int toMi)
    {
        string name = $"grow-{fs}";
        var v = (await _controller.CreateVolumeAsync(CreateReq(name, fromMi * Mi, thin, fs))).Volume;
        await _node.NodeStageVolumeAsync(StageReq(v, name, Cap(fs)));
        var publish = PublishReq(v, name);
        publish.VolumeCapability = Cap(fs);
        await _node.NodePublishVolumeAsync(publish);
        Guest($"echo before-grow > '{Target(name)}/keep' && sync");
        long totalBefore = Guest($"df -B1 --output=size '{Target(name)}' | tail -1").Trim() is var b ? long.Parse(b) : 0;

        var grow = new ControllerExpandVolumeRequest { VolumeId = v.VolumeId, CapacityRange = new CapacityRange { RequiredBytes = toMi * Mi } };
        var grown = await _controller.ControllerExpandVolumeAsync(grow);
        Assert.Equal(toMi * Mi, grown.CapacityBytes);
        Assert.True(grown.NodeExpansionRequired);
        Assert.Equal(toMi * Mi, (await _controller.ControllerExpandVolumeAsync(grow)).CapacityBytes);

        var nodeGrow = new NodeExpandVolumeRequest { VolumeId = v.VolumeId, VolumePath = Target(name) };
        long fsBytes = (await _node.NodeExpandVolumeAsync(nodeGrow)).CapacityBytes;
        Assert.Equal(fsBytes, (await _node.NodeExpandVolumeAsync(nodeGrow)).CapacityBytes);
        Assert.True(fsBytes > totalBefore, $"filesystem {fsBytes} bytes after growing, {totalBefore} before");
        Assert.Equal("before-grow\n", Guest($"cat '{Target(name)}/keep'"));

        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target(name) });
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging(name) });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(v.VolumeId, name);
    }
}

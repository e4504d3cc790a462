using Csi.V1;
using Grpc.Core;
using static Cdd.Csi.Tests.Conformance.CsiRequests;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>Raw block volumes and the volume condition against the running driver in the VM tier.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class BlockAndConditionConformanceTests(CsiGuest guest) : IClassFixture<CsiGuest>
{
    readonly Controller.ControllerClient _controller = new(guest.Channel);
    readonly global::Csi.V1.Node.NodeClient _node = new(guest.Channel);
    readonly Cdd.Vm.Vm _vm = guest.Vm;

    string Guest(string script) => _vm.Run(script).EnsureSuccess(script).Stdout;

    static CreateVolumeRequest BlockReq(string name, long bytes)
    {
        var r = CreateReq(name, bytes, thin: true);
        r.VolumeCapabilities.Clear();
        r.VolumeCapabilities.Add(BlockCap());
        return r;
    }

    [Fact]
    public async Task Block_volume_is_a_device_file_at_the_target_that_reads_back_what_was_written_and_read_only_refuses_writes()
    {
        var v = (await _controller.CreateVolumeAsync(BlockReq("blk", 16 * Mi))).Volume;
        await _node.NodeStageVolumeAsync(StageReq(v, "blk", BlockCap()));
        await _node.NodeStageVolumeAsync(StageReq(v, "blk", BlockCap()));
        Assert.Equal("", Guest($"grep '{Staging("blk")}' /proc/mounts; true"));
        var publish = PublishReq(v, "blk", cap: BlockCap());
        await _node.NodePublishVolumeAsync(publish);
        await _node.NodePublishVolumeAsync(publish);

        string target = Target("blk");
        Assert.Equal("block\n", Guest($"stat -L -c %F '{target}' | cut -d' ' -f1"));
        Guest($"printf raw-block-payload | dd of='{target}' bs=512 conv=sync,fsync status=none");
        Assert.Equal("raw-block-payload", Guest($"dd if=/dev/{v.VolumeId} bs=17 count=1 status=none"));

        var stats = await _node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = v.VolumeId, VolumePath = target });
        Assert.Equal(16 * Mi, Assert.Single(stats.Usage).Total);
        Assert.False(stats.VolumeCondition.Abnormal, stats.VolumeCondition.Message);
        Assert.Equal(16 * Mi, (await _node.NodeExpandVolumeAsync(new NodeExpandVolumeRequest
        {
            VolumeId = v.VolumeId, VolumePath = target, VolumeCapability = BlockCap(),
        })).CapacityBytes);

        // Published again elsewhere read-only: the device refuses writes while that publish lasts.
        string roName = "blk-ro";
        var ro = PublishReq(v, roName, readOnly: true, cap: BlockCap());
        ro.StagingTargetPath = Staging("blk");
        await _node.NodePublishVolumeAsync(ro);
        await _node.NodePublishVolumeAsync(ro);
        var write = _vm.Run($"printf x | dd of='{Target(roName)}' bs=512 conv=sync,fsync status=none");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Equal("raw-block-payload", Guest($"dd if='{Target(roName)}' bs=17 count=1 status=none"));
        // A second read-only publish keeps the LV read-only after the first goes; the last one gives writes back.
        var ro2 = PublishReq(v, "blk-ro2", readOnly: true, cap: BlockCap());
        await _node.NodePublishVolumeAsync(ro2);
        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target(roName) });
        Assert.NotEqual(0, _vm.Run($"printf x | dd of='{target}' bs=512 conv=sync,fsync status=none").ExitCode);
        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target("blk-ro2") });
        Guest($"printf writable-again | dd of='{target}' bs=512 conv=sync,fsync status=none");

        foreach (var t in new[] { target, target })
            await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = t });
        Assert.Equal("", Guest($"test -e '{target}' && echo target-left; test -e '{Target(roName)}' && echo ro-target-left; true"));
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging("blk") });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(_vm, v.VolumeId, "blk");
    }

    [Fact]
    public async Task Volume_condition_turns_abnormal_with_a_reason_when_the_mount_or_the_lv_is_gone()
    {
        var v = (await _controller.CreateVolumeAsync(CreateReq("cond", 16 * Mi, thin: true))).Volume;
        await _node.NodeStageVolumeAsync(StageReq(v, "cond"));
        await _node.NodePublishVolumeAsync(PublishReq(v, "cond"));
        var ask = new NodeGetVolumeStatsRequest { VolumeId = v.VolumeId, VolumePath = Target("cond") };
        Assert.False((await _node.NodeGetVolumeStatsAsync(ask)).VolumeCondition.Abnormal);

        // The LV renamed away under the mount: the device the volume ID names is gone.
        string lv = v.VolumeId.Split('/')[1];
        Guest($"lvrename {CsiGuest.Vg} {lv} moved-away >&2");
        try
        {
            var gone = (await _node.NodeGetVolumeStatsAsync(ask)).VolumeCondition;
            Assert.True(gone.Abnormal);
            Assert.Contains("gone", gone.Message);
        }
        finally
        {
            Guest($"lvrename {CsiGuest.Vg} moved-away {lv} >&2");
        }

        // Unmounted behind the driver's back: the path is there, the volume is not.
        Guest($"umount '{Target("cond")}'");
        var unmounted = (await _node.NodeGetVolumeStatsAsync(ask)).VolumeCondition;
        Assert.True(unmounted.Abnormal);
        Assert.Contains("not mounted", unmounted.Message);

        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target("cond") });
        await Fails(StatusCode.NotFound, _node.NodeGetVolumeStatsAsync(ask).ResponseAsync);
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging("cond") });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertGone(_vm, v.VolumeId, "cond");
    }

    [Fact]
    public async Task Validate_capabilities_confirms_only_what_the_driver_serves_and_an_unknown_volume_is_not_found()
    {
        var v = (await _controller.CreateVolumeAsync(CreateReq("validate", 8 * Mi, thin: true))).Volume;
        var ok = await _controller.ValidateVolumeCapabilitiesAsync(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = v.VolumeId, VolumeCapabilities = { Cap(), BlockCap() },
        });
        Assert.Equal(2, ok.Confirmed.VolumeCapabilities.Count);
        var multi = await _controller.ValidateVolumeCapabilitiesAsync(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = v.VolumeId,
            VolumeCapabilities = { Cap(mode: VolumeCapability.Types.AccessMode.Types.Mode.MultiNodeMultiWriter) },
        });
        Assert.Null(multi.Confirmed);
        Assert.Contains("single-node", multi.Message);
        Assert.Null((await _controller.ValidateVolumeCapabilitiesAsync(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = v.VolumeId, VolumeCapabilities = { Cap("btrfs") },
        })).Confirmed);
        await Fails(StatusCode.NotFound, _controller.ValidateVolumeCapabilitiesAsync(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = $"{CsiGuest.Vg}/csi-{new string('d', 40)}", VolumeCapabilities = { Cap() },
        }).ResponseAsync);
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
    }
}

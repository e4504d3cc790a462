using Csi.V1;
using Grpc.Core;
using static Cdd.Csi.Tests.Conformance.CsiRequests;

namespace Cdd.Csi.Tests.San.Vm;

/// <summary>
/// The lio array and the SAN node in the VM tier: real LIO, open-iscsi over two portals and dm-multipath, called as the
/// sidecars and kubelet call the two deployments. Each test cleans up what it made and checks that nothing is left.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public sealed class LioSanConformanceTests(SanGuest guest) : IClassFixture<SanGuest>, IDisposable
{
    readonly Controller.ControllerClient _controller = new(guest.ControllerChannel);
    readonly global::Csi.V1.Node.NodeClient _node = new(guest.NodeChannel);
    readonly Cdd.Vm.Vm _vm = guest.Vm;

    string Guest(string script, int minutes = 5) => _vm.Run(script, TimeSpan.FromMinutes(minutes)).EnsureSuccess(script).Stdout;

    static CreateVolumeRequest Create(string name, long bytes) => new()
    {
        Name = name,
        CapacityRange = new CapacityRange { RequiredBytes = bytes },
        VolumeCapabilities = { Cap() },
        Parameters = { ["backend"] = "san", ["array"] = "lio", ["fsType"] = "ext4" },
    };

    async Task<string> NodeId() => (await _node.NodeGetInfoAsync(new NodeGetInfoRequest())).NodeId;

    async Task<ControllerPublishVolumeResponse> Publish(Volume v, string nodeId) =>
        await _controller.ControllerPublishVolumeAsync(new ControllerPublishVolumeRequest { VolumeId = v.VolumeId, NodeId = nodeId, VolumeCapability = Cap() });

    NodeStageVolumeRequest Stage(Volume v, string name, ControllerPublishVolumeResponse published, VolumeCapability? cap = null)
    {
        var r = StageReq(v, name, cap);
        r.PublishContext.Add(published.PublishContext);
        return r;
    }

    /// <summary>Whatever this test made goes, also when it failed half way; the driver's own cleanup is checked in the test.</summary>
    public void Dispose() => guest.Reset();

    /// <summary>
    /// No session, no iSCSI node record, no SCSI device, no dm device (the VG is thick: no LV either once deleted), no path
    /// multipathd still holds, no backstore, LUN or ACL, no mount, no stage record.
    /// </summary>
    void AssertNothingLeft()
    {
        string t = $"{SanGuest.ConfigTarget}/iscsi/{SanGuest.Target}";
        var r = _vm.Run($"""
            iscsiadm -m session 2>/dev/null | grep . && echo SESSION-LEFT
            iscsiadm -m node 2>/dev/null | grep . && echo NODE-RECORD-LEFT
            ls /sys/class/scsi_device | grep . && echo SCSI-LEFT
            ls /sys/block | grep dm- && dmsetup ls && echo DM-LEFT
            multipathd show paths raw format '%d' 2>/dev/null | grep '^sd' && echo MULTIPATHD-PATH-LEFT
            find {SanGuest.ConfigTarget}/core -mindepth 2 -maxdepth 2 -type d -path '*/iblock_*/*' | grep . && echo BACKSTORE-LEFT
            find {t}/tpgt_*/lun {t}/tpgt_*/acls -mindepth 1 -maxdepth 1 2>/dev/null | grep . && echo LUN-OR-ACL-LEFT
            grep /var/lib/kubelet /proc/mounts && echo MOUNT-LEFT
            find /var/lib/cdd-csi -type f | grep . && echo STAGE-RECORD-LEFT
            true
            """);
        Assert.True(!r.Stdout.Contains("LEFT", StringComparison.Ordinal), r.Stdout + "\n" + guest.Logs);
    }

    [Fact]
    public async Task Lio_lifecycle_over_two_portals_with_every_call_repeated_writes_data_and_leaves_nothing_behind()
    {
        string name = "san-life";
        var v = (await _controller.CreateVolumeAsync(Create(name, 64 * Mi))).Volume;
        Assert.Equal(v.VolumeId, (await _controller.CreateVolumeAsync(Create(name, 64 * Mi))).Volume.VolumeId);
        string nodeId = await NodeId();
        Assert.Equal($"{SanGuest.NodeName};iqn={SanGuest.NodeIqn}", nodeId);
        var published = await Publish(v, nodeId);
        Assert.Equal(published.PublishContext, (await Publish(v, nodeId)).PublishContext);
        var listed = (await _controller.ListVolumesAsync(new ListVolumesRequest())).Entries.Single(e => e.Volume.VolumeId == v.VolumeId);
        Assert.Equal([nodeId], listed.Status.PublishedNodeIds);

        await _node.NodeStageVolumeAsync(Stage(v, name, published));
        await _node.NodeStageVolumeAsync(Stage(v, name, published));
        Assert.Equal("2\n", Guest("iscsiadm -m session | wc -l"));
        string wwid = published.PublishContext["wwid"];
        Assert.Equal("2\n", Guest($"for d in /sys/block/dm-*; do [ \"$(cat $d/dm/uuid)\" = mpath-{wwid} ] && ls $d/slaves | wc -l; done; true"));
        await _node.NodePublishVolumeAsync(PublishReq(v, name));
        await _node.NodePublishVolumeAsync(PublishReq(v, name));
        Guest($"echo payload-{name} > '{Target(name)}/data' && sync");
        Assert.Equal($"payload-{name}\n", Guest($"cat '{Staging(name)}/data'"));
        var stats = await _node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = v.VolumeId, VolumePath = Target(name) });
        Assert.False(stats.VolumeCondition.Abnormal, stats.VolumeCondition.Message);

        var unpublish = new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target(name) };
        await _node.NodeUnpublishVolumeAsync(unpublish);
        await _node.NodeUnpublishVolumeAsync(unpublish);
        var unstage = new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging(name) };
        await _node.NodeUnstageVolumeAsync(unstage);
        await _node.NodeUnstageVolumeAsync(unstage);
        var controllerUnpublish = new ControllerUnpublishVolumeRequest { VolumeId = v.VolumeId, NodeId = nodeId };
        await _controller.ControllerUnpublishVolumeAsync(controllerUnpublish);
        await _controller.ControllerUnpublishVolumeAsync(controllerUnpublish);
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertNothingLeft();
    }

    [Fact]
    public async Task Single_writer_lun_published_to_node_a_then_b_is_failed_precondition_until_a_unpublishes()
    {
        var v = (await _controller.CreateVolumeAsync(Create("san-writer", 16 * Mi))).Volume;
        const string a = "node-a;iqn=iqn.2026-12.io.cdd:node-a", b = "node-b;iqn=iqn.2026-12.io.cdd:node-b";
        await Publish(v, a);
        await Fails(StatusCode.FailedPrecondition, Publish(v, b));
        Assert.Equal("", Guest($"ls {SanGuest.ConfigTarget}/iscsi/{SanGuest.Target}/tpgt_1/acls | grep node-b; true"));
        await _controller.ControllerUnpublishVolumeAsync(new ControllerUnpublishVolumeRequest { VolumeId = v.VolumeId, NodeId = a });
        await Publish(v, b);
        await _controller.ControllerUnpublishVolumeAsync(new ControllerUnpublishVolumeRequest { VolumeId = v.VolumeId, NodeId = b });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertNothingLeft();
    }

    [Fact]
    public async Task Reused_lun_number_with_a_stale_path_of_the_old_volume_is_refused_by_the_serial_check_and_never_mounted()
    {
        string nodeId = await NodeId();
        var old = (await _controller.CreateVolumeAsync(Create("san-old", 16 * Mi))).Volume;
        var oldPublished = await Publish(old, nodeId);
        // Staged as a raw block volume: its paths and map stay on the node while the array forgets it.
        await _node.NodeStageVolumeAsync(Stage(old, "san-old", oldPublished, BlockCap()));
        await _controller.ControllerUnpublishVolumeAsync(new ControllerUnpublishVolumeRequest { VolumeId = old.VolumeId, NodeId = nodeId });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = old.VolumeId });

        var fresh = (await _controller.CreateVolumeAsync(Create("san-new", 16 * Mi))).Volume;
        var freshPublished = await Publish(fresh, nodeId);
        Assert.Equal(oldPublished.PublishContext["lun"], freshPublished.PublishContext["lun"]);
        var e = await Fails(StatusCode.FailedPrecondition, _node.NodeStageVolumeAsync(Stage(fresh, "san-new", freshPublished)).ResponseAsync);
        Assert.Contains("attaching would risk data corruption", e.Status.Detail);
        Assert.Equal("", Guest($"grep '{Staging("san-new")}' /proc/mounts; true"));

        // Once the stale volume is unstaged, the same stage succeeds on a fresh scan of the address.
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = old.VolumeId, StagingTargetPath = Staging("san-old") });
        await _node.NodeStageVolumeAsync(Stage(fresh, "san-new", freshPublished));
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = fresh.VolumeId, StagingTargetPath = Staging("san-new") });
        await _controller.ControllerUnpublishVolumeAsync(new ControllerUnpublishVolumeRequest { VolumeId = fresh.VolumeId, NodeId = nodeId });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = fresh.VolumeId });
        AssertNothingLeft();
    }

    [Fact]
    public async Task Portal_down_in_the_middle_of_direct_writes_fails_over_names_the_failed_path_and_recovers()
    {
        string name = "san-failover", nodeId = await NodeId();
        var v = (await _controller.CreateVolumeAsync(Create(name, 400 * Mi))).Volume;
        var published = await Publish(v, nodeId);
        await _node.NodeStageVolumeAsync(Stage(v, name, published));
        string tpg2 = $"{SanGuest.ConfigTarget}/iscsi/{SanGuest.Target}/tpgt_2";
        // 200 MiB with O_DIRECT in the background; the second portal's TPG is disabled (its sessions dropped, logins
        // refused) once writing has started.
        string pathOnPortal2 = Guest("""iscsiadm -m session -P 3 | awk '/Current Portal:/ { p = $3 } /Attached scsi disk/ && p ~ /^10\.0\.9\.2:/ { print $4 }'""").Trim();
        Assert.Matches("^sd[a-z]+$", pathOnPortal2);
        Guest($"rm -f /tmp/dd.rc; (dd if=/dev/zero of='{Staging(name)}/big' bs=1M count=200 oflag=direct 2>/tmp/dd.err; echo $? > /tmp/dd.rc) > /dev/null 2>&1 &");
        Guest($"while [ ! -s '{Staging(name)}/big' ]; do sleep 0.2; done; echo 0 > {tpg2}/enable");
        Guest("while [ ! -e /tmp/dd.rc ]; do sleep 1; done", minutes: 20);
        Assert.True(Guest("cat /tmp/dd.rc") == "0\n", Guest("cat /tmp/dd.err"));
        Assert.Equal((200 * Mi).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", Guest($"stat -c %s '{Staging(name)}/big'"));

        var down = await _node.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = v.VolumeId, VolumePath = Staging(name) });
        Assert.True(down.VolumeCondition.Abnormal);
        Assert.Contains("failed path", down.VolumeCondition.Message);
        Assert.Contains(pathOnPortal2, down.VolumeCondition.Message);

        Guest($"echo 1 > {tpg2}/enable");
        Cdd.Testing.Eventually.True("the path to come back", () =>
            !_node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = v.VolumeId, VolumePath = Staging(name) }).VolumeCondition.Abnormal,
            TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(2));

        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging(name) });
        await _controller.ControllerUnpublishVolumeAsync(new ControllerUnpublishVolumeRequest { VolumeId = v.VolumeId, NodeId = nodeId });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertNothingLeft();
    }

    [Fact]
    public async Task Expand_while_published_grows_the_lun_the_map_and_the_mounted_filesystem_and_keeps_the_data()
    {
        string name = "san-grow", nodeId = await NodeId();
        var v = (await _controller.CreateVolumeAsync(Create(name, 64 * Mi))).Volume;
        var published = await Publish(v, nodeId);
        await _node.NodeStageVolumeAsync(Stage(v, name, published));
        await _node.NodePublishVolumeAsync(PublishReq(v, name));
        Guest($"echo payload-{name} > '{Target(name)}/data' && sync");

        var grown = await _controller.ControllerExpandVolumeAsync(new ControllerExpandVolumeRequest
        {
            VolumeId = v.VolumeId, CapacityRange = new CapacityRange { RequiredBytes = 128 * Mi }, VolumeCapability = Cap(),
        });
        Assert.Equal((128 * Mi, true), (grown.CapacityBytes, grown.NodeExpansionRequired));
        var expand = new NodeExpandVolumeRequest
        {
            VolumeId = v.VolumeId, VolumePath = Target(name), StagingTargetPath = Staging(name),
            CapacityRange = new CapacityRange { RequiredBytes = 128 * Mi }, VolumeCapability = Cap(),
        };
        var node = await _node.NodeExpandVolumeAsync(expand);
        Assert.Equal(node.CapacityBytes, (await _node.NodeExpandVolumeAsync(expand)).CapacityBytes);
        Assert.True(node.CapacityBytes > 100 * Mi, $"the filesystem has {node.CapacityBytes} bytes after growing to 128 MiB");
        string wwid = published.PublishContext["wwid"];
        // The map and each of its two paths now have 128 MiB (262144 sectors).
        Assert.Equal("262144\n262144\n262144\n", Guest($"""
            for d in /sys/block/dm-*; do [ "$(cat $d/dm/uuid)" = mpath-{wwid} ] || continue; cat $d/size; for s in $d/slaves/*; do cat $s/size; done; done
            """));
        Assert.Equal($"payload-{name}\n", Guest($"cat '{Target(name)}/data'"));

        await _node.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { VolumeId = v.VolumeId, TargetPath = Target(name) });
        await _node.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = v.VolumeId, StagingTargetPath = Staging(name) });
        await _controller.ControllerUnpublishVolumeAsync(new ControllerUnpublishVolumeRequest { VolumeId = v.VolumeId, NodeId = nodeId });
        await _controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        AssertNothingLeft();
    }
}

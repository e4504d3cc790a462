using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.Node;
using Cdd.Csi.Services;
using Cdd.Csi.Tests.Services;
using Cdd.Testing;
using Csi.V1;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Tests.Node;

/// <summary>
/// NodeStage/NodePublish and their undo through the backend seam (the LVM node backend) with mounts, blkid/mkfs and device
/// lookups faked: format only a blank device, never one holding data, repeated calls change nothing, targets removed.
/// </summary>
[Tier(Tier.Unit)]
public sealed class NodeServiceTests : IDisposable
{
    const string Volume = "vg1/csi-0123456789abcdef0123456789abcdef01234567";
    const string Device = "/dev/vg1/csi-0123456789abcdef0123456789abcdef01234567";
    readonly TempDir _root = new("cdd-csi-node");
    readonly FakeDevices _devices = new();
    readonly FakeMounter _mounts;
    readonly FakeFilesystems _fs = new();
    readonly FakeLvm _lvm = new();
    readonly NodeService _node;

    public NodeServiceTests()
    {
        _mounts = new FakeMounter(_devices);
        var options = new DriverOptions { NodeId = "n1", VolumeGroups = ["vg1"], KubeletRoot = _root.Path };
        _devices.Devices[Device] = (253, 4, 64 << 20);
        var locks = new Locks();
        var backends = new Cdd.Csi.Backends.Backends([new LvmBackend(options, _lvm, locks)], [new LvmNode(options, _lvm, locks, _devices)]);
        _node = new NodeService(options, locks, backends, _mounts, _fs, _devices, new NodeIdentity("n1", null, []));
    }

    public void Dispose() => _root.Dispose();

    string Staging => Path.Combine(_root.Path, "plugins/staging/v1");
    string Target => Path.Combine(_root.Path, "pods/p1/volumes/v1");

    static VolumeCapability Mount(string fs = "ext4") => new()
    {
        Mount = new VolumeCapability.Types.MountVolume { FsType = fs },
        AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
    };

    NodeStageVolumeRequest Stage(string fs = "ext4") => new() { VolumeId = Volume, StagingTargetPath = Staging, VolumeCapability = Mount(fs) };

    NodePublishVolumeRequest Publish() => new() { VolumeId = Volume, StagingTargetPath = Staging, TargetPath = Target, VolumeCapability = Mount() };

    [Fact]
    public async Task Stage_formats_a_blank_device_once_and_a_repeated_stage_changes_nothing()
    {
        await _node.NodeStageVolume(Stage(), null!);
        await _node.NodeStageVolume(Stage(), null!);
        Assert.Equal([$"{Device} ext4"], _fs.Formatted);
        var m = Assert.Single(_mounts.Table);
        Assert.Equal((Staging, 253, 4, "ext4"), (m.MountPoint, m.Major, m.Minor, m.FsType));
    }

    [Fact]
    public async Task Stage_of_a_device_holding_another_filesystem_is_failed_precondition_and_never_formats()
    {
        _fs.OnDevice[Device] = "xfs";
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.NodeStageVolume(Stage("ext4"), null!));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Empty(_fs.Formatted);
        Assert.Empty(_mounts.Table);
    }

    [Fact]
    public async Task Stage_of_a_device_with_a_partition_table_is_refused_without_formatting()
    {
        _fs.OnDevice[Device] = "unknown";
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.NodeStageVolume(Stage(), null!));
        Assert.Contains("not reformatted", e.Message);
        Assert.Empty(_fs.Formatted);
    }

    [Fact]
    public async Task Stage_of_a_volume_whose_device_is_absent_is_not_found()
    {
        _devices.Devices.Clear();
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.NodeStageVolume(Stage(), null!));
        Assert.Equal(CsiFault.NotFound, e.Fault);
    }

    [Fact]
    public async Task Publish_binds_the_staging_path_and_unpublish_and_unstage_remove_every_mount_and_the_target()
    {
        await _node.NodeStageVolume(Stage(), null!);
        await _node.NodePublishVolume(Publish(), null!);
        await _node.NodePublishVolume(Publish(), null!);
        Assert.Equal(2, _mounts.Table.Count);
        Assert.True(Directory.Exists(Target));

        var unpublish = new NodeUnpublishVolumeRequest { VolumeId = Volume, TargetPath = Target };
        await _node.NodeUnpublishVolume(unpublish, null!);
        await _node.NodeUnpublishVolume(unpublish, null!);
        Assert.False(Directory.Exists(Target));
        var unstage = new NodeUnstageVolumeRequest { VolumeId = Volume, StagingTargetPath = Staging };
        await _node.NodeUnstageVolume(unstage, null!);
        await _node.NodeUnstageVolume(unstage, null!);
        Assert.Empty(_mounts.Table);
    }

    [Fact]
    public async Task Publish_before_stage_is_failed_precondition()
    {
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.NodePublishVolume(Publish(), null!));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Empty(_mounts.Table);
    }

    [Fact]
    public async Task Publish_read_only_after_a_writable_publish_at_the_same_target_is_already_exists()
    {
        await _node.NodeStageVolume(Stage(), null!);
        await _node.NodePublishVolume(Publish(), null!);
        var ro = Publish();
        ro.Readonly = true;
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.NodePublishVolume(ro, null!));
        Assert.Equal(CsiFault.AlreadyExists, e.Fault);
    }

    [Fact]
    public async Task Stats_of_a_volume_whose_device_was_replaced_report_an_abnormal_condition()
    {
        await _node.NodeStageVolume(Stage(), null!);
        await _node.NodePublishVolume(Publish(), null!);
        var healthy = await _node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = Volume, VolumePath = Target }, null!);
        Assert.False(healthy.VolumeCondition.Abnormal);
        _devices.Devices[Device] = (253, 9, 64 << 20);
        var replaced = await _node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = Volume, VolumePath = Target }, null!);
        Assert.True(replaced.VolumeCondition.Abnormal);
        Assert.Contains("gone or replaced", replaced.VolumeCondition.Message);
    }

    [Fact]
    public async Task Volume_id_of_no_backend_is_not_found_on_every_node_call()
    {
        var stage = Stage();
        stage.VolumeId = "nfs:server/share";
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.NodeStageVolume(stage, null!));
        Assert.Equal(CsiFault.NotFound, e.Fault);
    }

    [Fact]
    public async Task Node_info_of_a_san_node_carries_its_initiators_in_the_node_id_and_the_bare_name_in_topology()
    {
        var options = new DriverOptions { NodeId = "node-a", KubeletRoot = _root.Path };
        var node = new NodeService(options, new Locks(), new Cdd.Csi.Backends.Backends([], []), _mounts, _fs, _devices,
            new NodeIdentity("node-a", "iqn.1993-08.org.debian:01:abc", ["0x10000090fa000001"]));
        var info = await node.NodeGetInfo(new NodeGetInfoRequest(), null!);
        Assert.Equal("node-a;iqn=iqn.1993-08.org.debian:01:abc;wwpn=0x10000090fa000001", info.NodeId);
        Assert.Equal("node-a", info.AccessibleTopology.Segments[DriverOptions.TopologyKey]);
        Assert.Equal("iqn.1993-08.org.debian:01:abc", NodeIdentity.Parse(info.NodeId).Iqn);
    }
}

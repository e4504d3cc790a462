using Cdd.Csi.Errors;
using Cdd.Csi.Validation;
using Csi.V1;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Tests.Validation;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class RequestValidatorTests
{
    static readonly DriverOptions Options = new() { NodeId = "n1", VolumeGroups = ["vg1"], KubeletRoot = "/var/lib/kubelet" };
    readonly RequestValidator _v = new(Options);

    internal static VolumeCapability MountCap(params string[] flags) => new()
    {
        Mount = new VolumeCapability.Types.MountVolume { FsType = "ext4", MountFlags = { flags } },
        AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
    };

    internal static CreateVolumeRequest Create(string name = "pvc-1") => new()
    {
        Name = name,
        CapacityRange = new CapacityRange { RequiredBytes = 1 << 20 },
        VolumeCapabilities = { MountCap() },
        Parameters = { ["volumeGroup"] = "vg1" },
    };

    CsiFault FaultOf(object request) => Assert.Throws<CsiException>(() => _v.Validate(request)).Fault;

    [Fact]
    public void Well_formed_create_passes() => _v.Validate(Create());

    [Fact]
    public void Name_of_129_bytes_is_invalid_but_128_passes()
    {
        _v.Validate(Create(new string('a', 128)));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(Create(new string('a', 129))));
        // 43 three-byte characters: 129 bytes though only 43 chars.
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(Create(new string('€', 43))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\u0001name")]
    [InlineData("bad\u007Fname")]
    public void Empty_name_or_banned_control_character_is_invalid(string name) =>
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(Create(name)));

    [Fact]
    public void Unknown_parameter_is_invalid_and_provisioner_metadata_is_allowed()
    {
        var r = Create();
        r.Parameters["csi.storage.k8s.io/pvc/name"] = "data-mysql-0";
        _v.Validate(r);
        r.Parameters["raidLevel"] = "5";
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Theory]
    [InlineData("volumeGroup", "other-vg")]
    [InlineData("fsType", "btrfs")]
    [InlineData("mkfsOptions", "-O ^has_journal,-E root_owner=0:0")]
    [InlineData("thinPool", "bad/name")]
    public void Parameter_outside_what_the_node_serves_is_invalid(string key, string value)
    {
        var r = Create();
        r.Parameters[key] = value;
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Fact]
    public void Missing_volume_group_is_invalid()
    {
        var r = Create();
        r.Parameters.Clear();
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Fact]
    public void Negative_size_is_invalid_and_required_above_limit_is_out_of_range()
    {
        var r = Create();
        r.CapacityRange.RequiredBytes = -1;
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
        r.CapacityRange = new CapacityRange { RequiredBytes = 10 << 20, LimitBytes = 5 << 20 };
        Assert.Equal(CsiFault.OutOfRange, FaultOf(r));
    }

    [Theory]
    [InlineData(Mode.MultiNodeMultiWriter)]
    [InlineData(Mode.MultiNodeReaderOnly)]
    [InlineData(Mode.Unknown)]
    public void Multi_node_or_missing_access_mode_is_invalid(Mode mode)
    {
        var r = Create();
        r.VolumeCapabilities[0].AccessMode.Mode = mode;
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Fact]
    public void Missing_capabilities_are_invalid()
    {
        var r = Create();
        r.VolumeCapabilities.Clear();
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Theory]
    [InlineData("noatime", true)]
    [InlineData("nodev,nosuid", true)]
    [InlineData("discard", true)]
    [InlineData("remount", false)]
    [InlineData("bind", false)]
    [InlineData("context=system_u:object_r:foo", false)]
    [InlineData("noatime,loop", false)]
    public void Mount_options_outside_the_allow_list_are_invalid(string flags, bool allowed)
    {
        var r = new NodeStageVolumeRequest
        {
            VolumeId = "vg1/csi-" + new string('a', 40),
            StagingTargetPath = "/var/lib/kubelet/plugins/kubernetes.io/csi/lvm.cdd.io/x/globalmount",
            VolumeCapability = MountCap(flags),
        };
        if (allowed) _v.Validate(r);
        else Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/path")]
    [InlineData("/tmp/outside")]
    [InlineData("/var/lib/kubelet")]
    [InlineData("/var/lib/kubelet-other/pods/x")]
    [InlineData("/var/lib/kubelet/pods/../../../etc")]
    [InlineData("/var/lib/kubelet/pods/./x")]
    public void Target_path_outside_the_kubelet_root_or_with_dot_segments_is_invalid(string path)
    {
        var r = new NodePublishVolumeRequest
        {
            VolumeId = "vg1/csi-" + new string('a', 40),
            StagingTargetPath = "/var/lib/kubelet/plugins/x/globalmount",
            TargetPath = path,
            VolumeCapability = MountCap(),
        };
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(r));
    }

    [Fact]
    public void Empty_volume_ids_are_invalid_for_every_volume_call()
    {
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new DeleteVolumeRequest()));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new NodeUnstageVolumeRequest { StagingTargetPath = "/var/lib/kubelet/s" }));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new NodeUnpublishVolumeRequest { TargetPath = "/var/lib/kubelet/t" }));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new NodeGetVolumeStatsRequest { VolumePath = "/var/lib/kubelet/t" }));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new ValidateVolumeCapabilitiesRequest { VolumeCapabilities = { MountCap() } }));
    }

    [Fact]
    public void Expand_without_capacity_or_with_a_negative_size_is_invalid()
    {
        string id = "vg1/csi-" + new string('a', 40);
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new ControllerExpandVolumeRequest { VolumeId = id }));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new ControllerExpandVolumeRequest { VolumeId = id, CapacityRange = new CapacityRange { RequiredBytes = -5 } }));
        Assert.Equal(CsiFault.InvalidArgument, FaultOf(new NodeExpandVolumeRequest { VolumeId = id, VolumePath = "/etc" }));
    }
}

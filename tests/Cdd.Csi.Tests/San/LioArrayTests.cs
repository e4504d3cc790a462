using Cdd.Csi.Errors;
using Cdd.Csi.Lvm;
using Cdd.Csi.San;
using Cdd.Csi.San.Lio;
using Cdd.Csi.Tests.Services;
using Cdd.Testing;
using Csi.V1;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Tests.San;

/// <summary>The lio array over an in-memory configfs and LVM: what ends up in the tree for each controller call, and what is refused.</summary>
[Tier(Tier.Unit)]
public sealed class LioArrayTests
{
    const string Target = "iqn.2026-12.io.cdd:storage";
    const string NodeA = "node-a;iqn=iqn.1993-08.org.debian:01:aaaa", NodeB = "node-b;iqn=iqn.1993-08.org.debian:01:bbbb";
    readonly FakeConfigfs _fs = new();
    readonly FakeLvm _lvm = new();
    readonly SanBackend _san;

    public LioArrayTests()
    {
        var lio = LioOptions.From(Target, ["10.0.2.15:3260", "10.0.3.15:3260"], "vg1", "pool", "/unused")!;
        _san = new SanBackend(new DriverOptions { NodeId = "c", Controller = true }, new LioArray(lio, _lvm, _fs), new Locks());
    }

    static CreateVolumeRequest Create(string name, long bytes = 64 << 20) => new()
    {
        Name = name,
        CapacityRange = new CapacityRange { RequiredBytes = bytes },
        Parameters = { ["backend"] = "san", ["array"] = "lio", ["fsType"] = "ext4" },
        VolumeCapabilities = { Cap() },
    };

    static VolumeCapability Cap() => new()
    {
        Mount = new VolumeCapability.Types.MountVolume(),
        AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
    };

    Task<ControllerPublishVolumeResponse> Publish(string id, string node) =>
        _san.ControllerPublishVolume(new ControllerPublishVolumeRequest { VolumeId = id, NodeId = node, VolumeCapability = Cap() });

    Task<ControllerUnpublishVolumeResponse> Unpublish(string id, string node) => _san.ControllerUnpublishVolume(new ControllerUnpublishVolumeRequest { VolumeId = id, NodeId = node });

    string Tpg(int n) => $"target/iscsi/{Target}/tpgt_{n}";

    [Fact]
    public async Task Create_exports_the_lv_as_one_lun_in_a_tpg_per_portal_with_its_serial_and_no_acl()
    {
        var v = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        var again = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        Assert.Equal(v.VolumeId, again.VolumeId);
        Assert.StartsWith("lio:vg1/csi-", v.VolumeId);
        string lv = v.VolumeId.Split('/')[1];
        Assert.Equal($"/dev/vg1/{lv}\n", _fs.Read($"target/core/iblock_0/{lv}/udev_path"));
        Assert.Equal("1\n", _fs.Read($"target/core/iblock_0/{lv}/enable"));
        foreach (var (tpg, portal) in new[] { (Tpg(1), "10.0.2.15:3260"), (Tpg(2), "10.0.3.15:3260") })
        {
            Assert.True(_fs.Exists($"{tpg}/np/{portal}"));
            Assert.Equal("1\n", _fs.Read($"{tpg}/enable"));
            Assert.Equal("0\n", _fs.Read($"{tpg}/attrib/generate_node_acls"));
            Assert.Equal($"target/core/iblock_0/{lv}", _fs.LinkTable[$"{tpg}/lun/lun_0/{lv}"]);
            Assert.Empty(_fs.Groups($"{tpg}/acls"));
        }
        Assert.Equal(1, _lvm.Creates);
    }

    [Fact]
    public async Task Publish_masks_the_lun_to_the_nodes_initiator_in_every_tpg_and_returns_how_to_reach_it()
    {
        var v = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        var ctx = PublishContext.Parse((await Publish(v.VolumeId, NodeA)).PublishContext);
        Assert.Equal(ctx.ToMap(), PublishContext.Parse((await Publish(v.VolumeId, NodeA)).PublishContext).ToMap());
        Assert.Equal((Target, 0, "iscsi"), (ctx.TargetIqn, ctx.Lun, ctx.Transport));
        Assert.Equal(["10.0.2.15:3260", "10.0.3.15:3260"], ctx.Portals.Select(p => p.ToString()));
        Assert.Equal(Wwid.ForLioSerial(ctx.Serial), ctx.Wwid);
        foreach (int t in new[] { 1, 2 })
            Assert.Equal($"{Tpg(t)}/lun/lun_0", _fs.LinkTable[$"{Tpg(t)}/acls/iqn.1993-08.org.debian:01:aaaa/lun_0/cdd.{NodeA}"]);
        var listed = Assert.Single(await _san.ListAll());
        Assert.Equal([NodeA], listed.Status.PublishedNodeIds);
    }

    [Fact]
    public async Task Single_writer_lun_published_to_a_then_b_is_failed_precondition_until_a_unpublishes()
    {
        var v = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        await Publish(v.VolumeId, NodeA);
        var e = await Assert.ThrowsAsync<CsiException>(() => Publish(v.VolumeId, NodeB));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Contains("node-a", e.Message);
        Assert.False(_fs.Exists($"{Tpg(1)}/acls/iqn.1993-08.org.debian:01:bbbb"));

        await Unpublish(v.VolumeId, NodeA);
        await Unpublish(v.VolumeId, NodeA);
        Assert.Empty(_fs.Groups($"{Tpg(1)}/acls"));
        await Publish(v.VolumeId, NodeB);
        Assert.Equal([NodeB], Assert.Single(await _san.ListAll()).Status.PublishedNodeIds);
    }

    [Fact]
    public async Task Delete_of_a_published_volume_is_failed_precondition_and_after_unpublish_leaves_no_backstore_lun_or_acl()
    {
        var v = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        await Publish(v.VolumeId, NodeA);
        var e = await Assert.ThrowsAsync<CsiException>(() => _san.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId }));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);

        await Unpublish(v.VolumeId, NodeA);
        await _san.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        await _san.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId });
        Assert.Empty(_fs.Groups("target/core/iblock_0"));
        Assert.Empty(_fs.LinkTable);
        Assert.Empty(_fs.Groups($"{Tpg(1)}/lun"));
        Assert.Empty(_fs.Groups($"{Tpg(2)}/acls"));
        Assert.Empty(await _san.ListAll());
    }

    [Fact]
    public async Task A_deleted_volumes_lun_number_is_reused_by_the_next_with_a_new_serial()
    {
        var first = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        var firstCtx = PublishContext.Parse((await Publish(first.VolumeId, NodeA)).PublishContext);
        await Unpublish(first.VolumeId, NodeA);
        await _san.DeleteVolume(new DeleteVolumeRequest { VolumeId = first.VolumeId });
        var second = (await _san.CreateVolume(Create("pvc-2"))).Volume;
        var secondCtx = PublishContext.Parse((await Publish(second.VolumeId, NodeA)).PublishContext);
        Assert.Equal(firstCtx.Lun, secondCtx.Lun);
        Assert.NotEqual(firstCtx.Serial, secondCtx.Serial);
        Assert.NotEqual(firstCtx.Wwid, secondCtx.Wwid);
    }

    [Fact]
    public async Task A_backstore_of_the_same_name_on_another_device_is_not_ours_and_is_left_untouched()
    {
        string lv = VolumeIdFor("pvc-1");
        _fs.MakeDir("target/core/iblock_0");
        _fs.MakeDir($"target/core/iblock_0/{lv}");
        _fs.Write($"target/core/iblock_0/{lv}/control", "udev_path=/dev/sdz");
        _fs.Write($"target/core/iblock_0/{lv}/udev_path", "/dev/sdz");
        _fs.Write($"target/core/iblock_0/{lv}/enable", "1");
        var e = await Assert.ThrowsAsync<CsiException>(() => _san.CreateVolume(Create("pvc-1")));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Equal("/dev/sdz\n", _fs.Read($"target/core/iblock_0/{lv}/udev_path"));
        Assert.Empty(_fs.LinkTable);
    }

    static string VolumeIdFor(string name) => Cdd.Csi.Validation.VolumeId.LvNameFor(name);

    [Fact]
    public async Task Publish_to_a_node_without_an_iqn_is_failed_precondition_and_a_malformed_node_id_invalid_argument()
    {
        var v = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        Assert.Equal(CsiFault.FailedPrecondition, (await Assert.ThrowsAsync<CsiException>(() => Publish(v.VolumeId, "node-c"))).Fault);
        var bad = await Assert.ThrowsAsync<CsiException>(() => Publish(v.VolumeId, "node-c;iqn=../../core"));
        Assert.Equal(CsiFault.InvalidArgument, bad.Fault);
        Assert.Contains("node_id", bad.Message);
        Assert.Empty(_fs.Groups($"{Tpg(1)}/acls"));
    }

    [Fact]
    public async Task Chap_secrets_go_to_the_acl_and_never_into_an_error()
    {
        var v = (await _san.CreateVolume(Create("pvc-1"))).Volume;
        var r = new ControllerPublishVolumeRequest { VolumeId = v.VolumeId, NodeId = NodeA, VolumeCapability = Cap() };
        r.Secrets["chapUser"] = "node-a";
        r.Secrets["chapPassword"] = "short-secret!";
        await _san.ControllerPublishVolume(r);
        Assert.Equal("short-secret!\n", _fs.Read($"{Tpg(1)}/acls/iqn.1993-08.org.debian:01:aaaa/auth/password"));
        r.Secrets["chapPassword"] = "x y";
        var e = await Assert.ThrowsAsync<CsiException>(() => _san.ControllerPublishVolume(r));
        Assert.Equal(CsiFault.InvalidArgument, e.Fault);
        Assert.DoesNotContain("x y", e.Message);
        Assert.Contains("chapPassword", e.Message);
    }

    [Theory]
    [InlineData("array", "netapp", "array")]
    [InlineData("array", "", "array")]
    [InlineData("thinPool", "p", "thinPool")]
    [InlineData("fsType", "btrfs", "fsType")]
    [InlineData("mkfsOptions", "-O ^64bit;rm", "mkfsOptions")]
    public void Every_bad_san_storage_class_parameter_is_invalid_argument_naming_it(string key, string value, string named)
    {
        var p = new Dictionary<string, string> { ["backend"] = "san", ["array"] = "lio", [key] = value };
        var e = Assert.Throws<CsiException>(() => _san.ValidateParameters(p));
        Assert.Equal(CsiFault.InvalidArgument, e.Fault);
        Assert.Contains(named, e.Message);
    }
}

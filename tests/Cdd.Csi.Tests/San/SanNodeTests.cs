using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.San;
using Cdd.Csi.San.Node;
using Cdd.Testing;

namespace Cdd.Csi.Tests.San;

/// <summary>The SAN node side against an in-memory storage network: login, targeted scan, identity checks on every path, the map, and a full undo.</summary>
[Tier(Tier.Unit)]
public sealed class SanNodeTests : IDisposable
{
    const string Volume = "lio:vg1/csi-0123456789abcdef0123456789abcdef01234567";
    const string Other = "lio:vg1/csi-1111111111111111111111111111111111111111";
    readonly TempDir _state = new("cdd-san-state");
    readonly FakeSan _san = new();
    readonly SanNode _node;
    static readonly string Serial = new('a', 32), OtherSerial = new('b', 32);

    public SanNodeTests()
    {
        _node = new SanNode(_san, _san, _san, new StageStore(_state.Path),
            new SanNodeTimings { Paths = TimeSpan.FromMilliseconds(300), Map = TimeSpan.FromMilliseconds(300), MapAsk = TimeSpan.FromMilliseconds(50), Poll = TimeSpan.FromMilliseconds(10), FlushAttempts = 3, FlushRetry = TimeSpan.Zero });
        _san.Luns[0] = (Wwid.ForLioSerial(Serial), Serial, 64 << 20);
    }

    public void Dispose() => _state.Dispose();

    static Dictionary<string, string> Context(string serial = "", int lun = 0)
    {
        serial = serial.Length > 0 ? serial : Serial;
        return new PublishContext("iscsi", "iqn.2026-12.io.cdd:storage",
            [System.Net.IPEndPoint.Parse("10.0.2.15:3260"), System.Net.IPEndPoint.Parse("10.0.3.15:3260")], lun, Wwid.ForLioSerial(serial), serial).ToMap();
    }

    Task<string> Attach(string volume = Volume, Dictionary<string, string>? ctx = null, Dictionary<string, string>? secrets = null) =>
        _node.AttachAsync(new AttachRequest(volume, ctx ?? Context(), new Dictionary<string, string>(), secrets ?? new Dictionary<string, string>()));

    [Fact]
    public async Task Attach_logs_in_on_every_portal_with_manual_startup_and_scan_then_scans_exactly_the_lun_and_returns_the_map()
    {
        string device = await Attach();
        Assert.Equal("/dev/mapper/" + Wwid.ForLioSerial(Serial), device);
        Assert.Equal(2, _san.Sessions.Count);
        foreach (var portal in new[] { "10.0.2.15:3260", "10.0.3.15:3260" })
        {
            int i = _san.Calls.IndexOf($"login {portal}");
            Assert.True(i > _san.Calls.IndexOf($"update {portal} node.startup=manual") && i > _san.Calls.IndexOf($"update {portal} node.session.scan=manual"));
        }
        Assert.Equal(["scan 2 0 0 0", "scan 3 0 0 0"], _san.Calls.Where(c => c.StartsWith("scan", StringComparison.Ordinal)));

        _san.Calls.Clear();
        Assert.Equal(device, await Attach());
        Assert.DoesNotContain(_san.Calls, c => c.StartsWith("login", StringComparison.Ordinal) || c.StartsWith("scan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stale_path_of_a_deleted_lun_at_the_reused_address_is_refused_as_risking_data_corruption()
    {
        _san.Luns[0] = (Wwid.ForLioSerial(OtherSerial), OtherSerial, 64 << 20);
        await Attach(Other, Context(OtherSerial));
        // The old LUN is deleted on the array and its number reused; the node still has the old device at that address.
        _san.Luns[0] = (Wwid.ForLioSerial(Serial), Serial, 64 << 20);
        var e = await Assert.ThrowsAsync<CsiException>(() => Attach());
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Contains("attaching would risk data corruption", e.Message);
        Assert.DoesNotContain(_san.Calls, c => c.StartsWith("rescan", StringComparison.Ordinal) || c.StartsWith("delete ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refused_stage_leaves_no_record_and_keeps_the_sessions_and_the_stale_path_it_did_not_make()
    {
        _san.Luns[0] = (Wwid.ForLioSerial(OtherSerial), OtherSerial, 64 << 20);
        await Attach(Other, Context(OtherSerial));
        _san.Luns[0] = (Wwid.ForLioSerial(Serial), Serial, 64 << 20);
        var stale = _san.Devices.Keys.Order(StringComparer.Ordinal).ToList();
        _san.Calls.Clear();

        await Assert.ThrowsAsync<CsiException>(() => Attach());
        Assert.Null(new StageStore(_state.Path).Load(Volume));
        Assert.Null(await _node.DevicePathAsync(Volume));
        Assert.Equal(2, _san.Sessions.Count);
        Assert.Equal(stale, _san.Devices.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_san.Calls, c => c.StartsWith("logout", StringComparison.Ordinal) || c.StartsWith("delete", StringComparison.Ordinal));
        // The stale volume is still staged and still detaches completely.
        await _node.DetachAsync(Other);
        Assert.Empty(_san.Sessions);
        Assert.Empty(_san.Devices);
    }

    [Fact]
    public async Task Failed_first_stage_takes_back_its_paths_map_and_the_sessions_it_logged_in()
    {
        _san.AutoMap = false;
        var wwid = Wwid.ForLioSerial(Serial);
        var task = Attach();
        await Task.Delay(20);
        _san.Maps[wwid] = new DmMap(wwid, "dm-0", "mpath-" + wwid, ["sda", "sdb"], 32 << 20);
        var e = await Assert.ThrowsAsync<CsiException>(() => task);
        Assert.Contains("attaching would risk data corruption", e.Message);
        Assert.Null(new StageStore(_state.Path).Load(Volume));
        Assert.Empty(_san.Sessions);
        Assert.Empty(_san.Devices);
        Assert.Empty(_san.Maps);
        Assert.Equal(2, _san.Calls.Count(c => c.StartsWith("delete-node", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Stage_refused_after_attach_by_a_foreign_filesystem_detaches_what_it_attached_and_leaves_no_record()
    {
        var devices = new Tests.Node.FakeDevices();
        devices.Devices["/dev/mapper/" + Wwid.ForLioSerial(Serial)] = (253, 0, 64 << 20);
        var fs = new Tests.Node.FakeFilesystems();
        fs.OnDevice["/dev/mapper/" + Wwid.ForLioSerial(Serial)] = "xfs";
        var root = Path.Combine(_state.Path, "kubelet");
        var options = new DriverOptions { NodeId = "n1", KubeletRoot = root };
        var service = new Cdd.Csi.Services.NodeService(options, new Cdd.Csi.Lvm.Locks(), new Cdd.Csi.Backends.Backends([], [_node]),
            new Tests.Node.FakeMounter(devices), fs, devices, new Cdd.Csi.Node.NodeIdentity("n1", null, []));
        var request = new global::Csi.V1.NodeStageVolumeRequest
        {
            VolumeId = Volume, StagingTargetPath = Path.Combine(root, "plugins/staging/v1"), PublishContext = { Context() },
            VolumeCapability = new global::Csi.V1.VolumeCapability
            {
                Mount = new global::Csi.V1.VolumeCapability.Types.MountVolume { FsType = "ext4" },
                AccessMode = new global::Csi.V1.VolumeCapability.Types.AccessMode { Mode = global::Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode.SingleNodeWriter },
            },
        };

        var e = await Assert.ThrowsAsync<CsiException>(() => service.NodeStageVolume(request, null!));
        Assert.Equal(CsiFault.FailedPrecondition, e.Fault);
        Assert.Empty(fs.Formatted);
        Assert.Null(new StageStore(_state.Path).Load(Volume));
        Assert.Empty(_san.Sessions);
        Assert.Empty(_san.Devices);
        Assert.Empty(_san.Maps);
    }

    [Fact]
    public async Task Detach_makes_multipathd_forget_each_path_before_its_scsi_device_is_deleted()
    {
        _san.AutoMap = false;
        await Attach();
        Assert.Equal(["sda", "sdb"], _san.DaemonPaths.Order(StringComparer.Ordinal));
        await _node.DetachAsync(Volume);
        Assert.Empty(_san.DaemonPaths);
        foreach (var (block, hctl) in new[] { ("sda", "2:0:0:0"), ("sdb", "3:0:0:0") })
            Assert.True(_san.Calls.IndexOf($"forget {block}") < _san.Calls.IndexOf($"delete {hctl}"));
    }

    [Fact]
    public async Task Map_whose_size_differs_from_its_paths_is_refused()
    {
        _san.AutoMap = false;
        var wwid = Wwid.ForLioSerial(Serial);
        var task = Attach();
        await Task.Delay(20);
        _san.Maps[wwid] = new DmMap(wwid, "dm-0", "mpath-" + wwid, ["sda", "sdb"], 32 << 20);
        var e = await Assert.ThrowsAsync<CsiException>(() => task);
        Assert.Contains("attaching would risk data corruption", e.Message);
    }

    [Fact]
    public async Task A_map_that_does_not_appear_by_itself_is_asked_for_once_per_path()
    {
        _san.AutoMap = false;
        await Attach();
        Assert.Equal(2, _san.Calls.Count(c => c.StartsWith("multipath /dev/sd", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Detach_flushes_removes_the_map_and_every_path_and_logs_out_of_sessions_nobody_else_uses()
    {
        await Attach();
        _san.Luns[1] = (Wwid.ForLioSerial(OtherSerial), OtherSerial, 64 << 20);
        await Attach(Other, Context(OtherSerial, lun: 1));
        _san.BusyFlushes = 2;

        await _node.DetachAsync(Volume);
        Assert.Contains(_san.Calls, c => c.StartsWith("flushbufs /dev/dm-", StringComparison.Ordinal));
        Assert.Null(_san.MapByUuid("mpath-" + Wwid.ForLioSerial(Serial)));
        Assert.Empty(_san.PathsByWwid(Wwid.ForLioSerial(Serial)));
        Assert.DoesNotContain(_san.Calls, c => c.StartsWith("logout", StringComparison.Ordinal));
        Assert.Equal(2, _san.Sessions.Count);

        await _node.DetachAsync(Other);
        await _node.DetachAsync(Other);
        Assert.Empty(_san.Sessions);
        Assert.Empty(_san.Devices);
        Assert.Empty(_san.Maps);
        Assert.Null(await _node.DevicePathAsync(Other));
    }

    [Fact]
    public async Task Map_that_stays_busy_past_the_bounded_retries_fails_and_keeps_the_stage_record()
    {
        await Attach();
        _san.BusyFlushes = 10;
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.DetachAsync(Volume));
        Assert.Contains("still in use", e.Message);
        Assert.Equal(3, _san.Calls.Count(c => c.StartsWith("flush-map", StringComparison.Ordinal)));
        Assert.NotNull(await _node.DevicePathAsync(Volume));
    }

    [Fact]
    public async Task Ghost_map_without_slaves_is_removed_only_when_its_uuid_is_the_volumes()
    {
        await Attach();
        var wwid = Wwid.ForLioSerial(Serial);
        _san.Maps["foreign"] = new DmMap("foreign", "dm-9", "mpath-3600140500000000000000000000000ff", [], 0);
        _san.Maps[wwid] = _san.Maps[wwid] with { Slaves = [] };
        _san.BusyFlushes = 0;
        await _node.DetachAsync(Volume);
        Assert.True(_san.Maps.ContainsKey("foreign"));
        Assert.False(_san.Maps.ContainsKey(wwid));
    }

    [Fact]
    public async Task Grow_rescans_every_path_then_resizes_the_map_to_them()
    {
        await Attach();
        _san.Luns[0] = _san.Luns[0] with { Size = 128 << 20 };
        await _node.GrowDeviceAsync(Volume, null);
        Assert.Equal(["rescan 2:0:0:0", "rescan 3:0:0:0"], _san.Calls.Where(c => c.StartsWith("rescan", StringComparison.Ordinal)));
        Assert.Equal(128 << 20, _san.MapByUuid("mpath-" + Wwid.ForLioSerial(Serial))!.SizeBytes);
        _san.Calls.Clear();
        await _node.GrowDeviceAsync(Volume, null);
        Assert.DoesNotContain(_san.Calls, c => c.StartsWith("resize", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Grow_whose_map_does_not_follow_its_paths_fails_instead_of_growing_the_filesystem_to_the_old_size()
    {
        await Attach();
        _san.Luns[0] = _san.Luns[0] with { Size = 128 << 20 };
        _san.ResizeFollowsPaths = false;
        var e = await Assert.ThrowsAsync<CsiException>(() => _node.GrowDeviceAsync(Volume, null));
        Assert.Equal(CsiFault.Unavailable, e.Fault);
        Assert.Contains("after the resize", e.Message);
    }

    [Fact]
    public async Task Chap_credentials_reach_iscsiadm_marked_secret()
    {
        await Attach(secrets: new Dictionary<string, string> { ["chapUser"] = "node-a", ["chapPassword"] = "0123456789abcdef" });
        Assert.Contains("update 10.0.2.15:3260 node.session.auth.password=***", _san.Calls);
        Assert.DoesNotContain(_san.Calls, c => c.Contains("0123456789abcdef", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Condition_names_a_failed_path()
    {
        await Attach();
        Assert.Null(await _node.ProblemAsync(Volume));
        _san.Failed.Add("8:16");
        var problem = await _node.ProblemAsync(Volume);
        Assert.Contains("sdb", problem);
    }

    [Fact]
    public async Task Bad_publish_context_is_invalid_argument_before_any_iscsiadm_call()
    {
        var ctx = Context();
        ctx["portals"] = "10.0.2.15:3260;reboot";
        var e = await Assert.ThrowsAsync<CsiException>(() => Attach(ctx: ctx));
        Assert.Equal(CsiFault.InvalidArgument, e.Fault);
        Assert.Empty(_san.Calls);
    }
}

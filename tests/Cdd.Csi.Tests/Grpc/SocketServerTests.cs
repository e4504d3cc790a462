using Cdd.Testing;
using Csi.V1;
using Grpc.Core;

namespace Cdd.Csi.Tests.Grpc;

/// <summary>The published binary over its Unix socket: identity, socket hygiene, and bad input refused with exact codes before any LVM work.</summary>
[Tier(Tier.Unit)]
public sealed class SocketServerTests : IDisposable
{
    readonly DriverProcess _driver = new();

    public void Dispose() => _driver.Dispose();

    [Fact]
    public async Task Plugin_info_names_the_lvm_driver_with_controller_and_topology_capabilities()
    {
        using var ch = CsiChannel.Unix(_driver.Socket);
        var id = new Identity.IdentityClient(ch);
        Assert.Equal("lvm.cdd.io", (await id.GetPluginInfoAsync(new())).Name);
        var caps = (await id.GetPluginCapabilitiesAsync(new())).Capabilities;
        Assert.Equal([PluginCapability.Types.Service.Types.Type.ControllerService, PluginCapability.Types.Service.Types.Type.VolumeAccessibilityConstraints],
            caps.Where(c => c.Service is not null).Select(c => c.Service.Type));
        Assert.Equal(PluginCapability.Types.VolumeExpansion.Types.Type.Online, caps.Single(c => c.VolumeExpansion is not null).VolumeExpansion.Type);
        var controllerCaps = (await new Controller.ControllerClient(ch).ControllerGetCapabilitiesAsync(new())).Capabilities.Select(c => c.Rpc.Type).ToList();
        foreach (var t in new[]
                 {
                     ControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteSnapshot,
                     ControllerServiceCapability.Types.RPC.Types.Type.ListSnapshots,
                     ControllerServiceCapability.Types.RPC.Types.Type.CloneVolume,
                 })
            Assert.Contains(t, controllerCaps);
        var info = await new global::Csi.V1.Node.NodeClient(ch).NodeGetInfoAsync(new());
        Assert.Equal("host-node", info.NodeId);
        Assert.Equal("host-node", info.AccessibleTopology.Segments["topology.cdd.io/node"]);
    }

    [Fact]
    public void Socket_is_owner_and_group_read_write_only()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(_driver.Socket));
    }

    [Fact]
    public void A_stale_socket_from_a_previous_run_is_replaced()
    {
        var dir = new TempDir("cdd-csi-stale");
        File.WriteAllText(Path.Combine(dir.Path, "csi.sock"), "stale");
        using var second = new DriverProcess(dir);
        Assert.Contains("csi.listening", second.LogText);
        Assert.NotEqual("stale", File.Exists(second.Socket) && new FileInfo(second.Socket).Length > 0 ? File.ReadAllText(second.Socket) : "");
    }

    [Fact]
    public async Task Bad_requests_get_invalid_argument_or_out_of_range_and_are_logged_without_secrets()
    {
        using var ch = CsiChannel.Unix(_driver.Socket);
        var controller = new Controller.ControllerClient(ch);
        var node = new global::Csi.V1.Node.NodeClient(ch);

        var longName = Validation.RequestValidatorTests.Create(new string('n', 129));
        longName.Secrets["token"] = "s3cr3t-value";
        await AssertCode(StatusCode.InvalidArgument, controller.CreateVolumeAsync(longName).ResponseAsync);

        var unknown = Validation.RequestValidatorTests.Create();
        unknown.Parameters["color"] = "blue";
        await AssertCode(StatusCode.InvalidArgument, controller.CreateVolumeAsync(unknown).ResponseAsync);

        var range = Validation.RequestValidatorTests.Create();
        range.CapacityRange = new CapacityRange { RequiredBytes = 2 << 20, LimitBytes = 1 << 20 };
        await AssertCode(StatusCode.OutOfRange, controller.CreateVolumeAsync(range).ResponseAsync);

        await AssertCode(StatusCode.InvalidArgument, controller.DeleteVolumeAsync(new DeleteVolumeRequest()).ResponseAsync);
        await AssertCode(StatusCode.InvalidArgument, node.NodePublishVolumeAsync(new NodePublishVolumeRequest
        {
            VolumeId = "vg1/csi-" + new string('a', 40),
            StagingTargetPath = "/var/lib/kubelet/plugins/s",
            TargetPath = "/var/lib/kubelet/pods/../../../etc",
            VolumeCapability = Validation.RequestValidatorTests.MountCap(),
        }).ResponseAsync);
        await AssertCode(StatusCode.InvalidArgument, node.NodeStageVolumeAsync(new NodeStageVolumeRequest
        {
            VolumeId = "vg1/csi-" + new string('a', 40),
            StagingTargetPath = "/var/lib/kubelet/plugins/s",
            VolumeCapability = Validation.RequestValidatorTests.MountCap("remount"),
        }).ResponseAsync);

        Assert.Contains("csi.fail /csi.v1.Controller/CreateVolume InvalidArgument", _driver.LogText);
        Assert.DoesNotContain("s3cr3t-value", _driver.LogText);
    }

    /// <summary>One bad request per RPC and per rule, over the socket: each is refused by the validator before any LVM or mount work.</summary>
    [Fact]
    public async Task Every_rpc_refuses_bad_input_with_the_code_the_spec_names()
    {
        using var ch = CsiChannel.Unix(_driver.Socket);
        var c = new Controller.ControllerClient(ch);
        var n = new global::Csi.V1.Node.NodeClient(ch);
        string vol = "vg1/csi-" + new string('a', 40);
        const string staging = "/var/lib/kubelet/plugins/kubernetes.io/csi/lvm.cdd.io/x/globalmount";
        const string target = "/var/lib/kubelet/pods/p/volumes/kubernetes.io~csi/x/mount";
        var cap = Validation.RequestValidatorTests.MountCap();
        CreateVolumeRequest Create(Action<CreateVolumeRequest> spoil)
        {
            var r = Validation.RequestValidatorTests.Create();
            spoil(r);
            return r;
        }

        var cases = new (string Case, StatusCode Code, Func<Task> Call)[]
        {
            ("create: name of 129 bytes", StatusCode.InvalidArgument, () => c.CreateVolumeAsync(Create(r => r.Name = new string('n', 129))).ResponseAsync),
            ("create: empty name", StatusCode.InvalidArgument, () => c.CreateVolumeAsync(Create(r => r.Name = "")).ResponseAsync),
            ("create: unknown parameter", StatusCode.InvalidArgument, () => c.CreateVolumeAsync(Create(r => r.Parameters["replicas"] = "3")).ResponseAsync),
            ("create: required above limit", StatusCode.OutOfRange, () => c.CreateVolumeAsync(Create(r => r.CapacityRange = new CapacityRange { RequiredBytes = 8 << 20, LimitBytes = 4 << 20 })).ResponseAsync),
            ("create: mount option off the allow-list", StatusCode.InvalidArgument, () => c.CreateVolumeAsync(Create(r => r.VolumeCapabilities[0] = Validation.RequestValidatorTests.MountCap("suid,dev"))).ResponseAsync),
            ("create: snapshot source without an ID", StatusCode.InvalidArgument, () => c.CreateVolumeAsync(Create(r => r.VolumeContentSource = new VolumeContentSource { Snapshot = new() })).ResponseAsync),
            ("create: volume source without an ID", StatusCode.InvalidArgument, () => c.CreateVolumeAsync(Create(r => r.VolumeContentSource = new VolumeContentSource { Volume = new() })).ResponseAsync),
            ("delete: empty ID", StatusCode.InvalidArgument, () => c.DeleteVolumeAsync(new DeleteVolumeRequest()).ResponseAsync),
            ("expand: empty ID", StatusCode.InvalidArgument, () => c.ControllerExpandVolumeAsync(new ControllerExpandVolumeRequest { CapacityRange = new() { RequiredBytes = 1 } }).ResponseAsync),
            ("expand: no capacity", StatusCode.InvalidArgument, () => c.ControllerExpandVolumeAsync(new ControllerExpandVolumeRequest { VolumeId = vol }).ResponseAsync),
            ("validate: empty ID", StatusCode.InvalidArgument, () => c.ValidateVolumeCapabilitiesAsync(new ValidateVolumeCapabilitiesRequest { VolumeCapabilities = { cap } }).ResponseAsync),
            ("validate: no capabilities", StatusCode.InvalidArgument, () => c.ValidateVolumeCapabilitiesAsync(new ValidateVolumeCapabilitiesRequest { VolumeId = vol }).ResponseAsync),
            ("list volumes: negative max_entries", StatusCode.InvalidArgument, () => c.ListVolumesAsync(new ListVolumesRequest { MaxEntries = -1 }).ResponseAsync),
            ("capacity: unknown parameter", StatusCode.InvalidArgument, () => c.GetCapacityAsync(new GetCapacityRequest { Parameters = { ["volumeGroup"] = "vg1", ["tier"] = "gold" } }).ResponseAsync),
            ("snapshot: empty name", StatusCode.InvalidArgument, () => c.CreateSnapshotAsync(new CreateSnapshotRequest { SourceVolumeId = vol }).ResponseAsync),
            ("snapshot: name of 129 bytes", StatusCode.InvalidArgument, () => c.CreateSnapshotAsync(new CreateSnapshotRequest { Name = new string('s', 129), SourceVolumeId = vol }).ResponseAsync),
            ("snapshot: empty source", StatusCode.InvalidArgument, () => c.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "s" }).ResponseAsync),
            ("snapshot: unknown parameter", StatusCode.InvalidArgument, () => c.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "s", SourceVolumeId = vol, Parameters = { ["retain"] = "yes" } }).ResponseAsync),
            ("delete snapshot: empty ID", StatusCode.InvalidArgument, () => c.DeleteSnapshotAsync(new DeleteSnapshotRequest()).ResponseAsync),
            ("list snapshots: negative max_entries", StatusCode.InvalidArgument, () => c.ListSnapshotsAsync(new ListSnapshotsRequest { MaxEntries = -1 }).ResponseAsync),
            ("stage: empty ID", StatusCode.InvalidArgument, () => n.NodeStageVolumeAsync(new NodeStageVolumeRequest { StagingTargetPath = staging, VolumeCapability = cap }).ResponseAsync),
            ("stage: staging path outside the kubelet root", StatusCode.InvalidArgument, () => n.NodeStageVolumeAsync(new NodeStageVolumeRequest { VolumeId = vol, StagingTargetPath = "/etc/x", VolumeCapability = cap }).ResponseAsync),
            ("stage: no capability", StatusCode.InvalidArgument, () => n.NodeStageVolumeAsync(new NodeStageVolumeRequest { VolumeId = vol, StagingTargetPath = staging }).ResponseAsync),
            ("unstage: staging path with ..", StatusCode.InvalidArgument, () => n.NodeUnstageVolumeAsync(new NodeUnstageVolumeRequest { VolumeId = vol, StagingTargetPath = "/var/lib/kubelet/../../etc" }).ResponseAsync),
            ("publish: target outside the kubelet root", StatusCode.InvalidArgument, () => n.NodePublishVolumeAsync(new NodePublishVolumeRequest { VolumeId = vol, StagingTargetPath = staging, TargetPath = "/root/x", VolumeCapability = cap }).ResponseAsync),
            ("publish: empty target", StatusCode.InvalidArgument, () => n.NodePublishVolumeAsync(new NodePublishVolumeRequest { VolumeId = vol, StagingTargetPath = staging, VolumeCapability = cap }).ResponseAsync),
            ("unpublish: empty ID", StatusCode.InvalidArgument, () => n.NodeUnpublishVolumeAsync(new NodeUnpublishVolumeRequest { TargetPath = target }).ResponseAsync),
            ("stats: path outside the kubelet root", StatusCode.InvalidArgument, () => n.NodeGetVolumeStatsAsync(new NodeGetVolumeStatsRequest { VolumeId = vol, VolumePath = "/proc" }).ResponseAsync),
            ("node expand: path with ..", StatusCode.InvalidArgument, () => n.NodeExpandVolumeAsync(new NodeExpandVolumeRequest { VolumeId = vol, VolumePath = target + "/../../x" }).ResponseAsync),
        };
        var wrong = new List<string>();
        foreach (var (name, code, call) in cases)
        {
            try
            {
                await call();
                wrong.Add($"{name}: succeeded");
            }
            catch (RpcException e) when (e.StatusCode != code)
            {
                wrong.Add($"{name}: {e.StatusCode} ({e.Status.Detail}), expected {code}");
            }
            catch (RpcException)
            {
            }
        }
        Assert.Empty(wrong);
        // Refused by the validator, before any handler ran: no lvm2 tool was started, nothing was mounted or made.
        Assert.DoesNotContain("csi.error", _driver.LogText);
        Assert.False(Directory.Exists("/var/lib/kubelet/pods/p"));
    }

    static async Task AssertCode(StatusCode code, Task call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(code, e.StatusCode);
    }
}

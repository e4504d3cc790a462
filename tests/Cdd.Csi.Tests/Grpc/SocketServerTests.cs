using Cdd.Testing;
using Csi.V1;
using Grpc.Core;

namespace Cdd.Csi.Tests.Grpc;

/// <summary>The published binary over its Unix socket: identity, socket hygiene, and bad input refused with exact codes before any LVM work.</summary>
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

    static async Task AssertCode(StatusCode code, Task call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(code, e.StatusCode);
    }
}

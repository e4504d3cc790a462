using Csi.V1;
using Grpc.Core;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>
/// kill -9 of cdd-csi while CreateVolume runs, restart, repeat: exactly one LV for the name. The kill lands
/// wherever it lands (before, during or after lvcreate); the outcome must be the same in every case.
/// </summary>
public class CrashSafetyTests(CsiGuest guest) : IClassFixture<CsiGuest>
{
    [Fact]
    public async Task Create_volume_killed_mid_call_then_repeated_after_restart_leaves_one_lv_and_no_orphan()
    {
        var request = new CreateVolumeRequest
        {
            Name = "crash-me",
            CapacityRange = new CapacityRange { RequiredBytes = 64 << 20 },
            VolumeCapabilities =
            {
                new VolumeCapability
                {
                    Mount = new VolumeCapability.Types.MountVolume { FsType = "ext4" },
                    AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
                },
            },
            Parameters = { ["volumeGroup"] = CsiGuest.Vg, ["thinPool"] = CsiGuest.Pool },
        };
        var inFlight = new Controller.ControllerClient(guest.Channel).CreateVolumeAsync(request).ResponseAsync;
        guest.KillAndRestartDriver();
        try { await inFlight; }
        catch (RpcException) { } // the call died with the driver, or finished first: both are allowed

        var controller = new Controller.ControllerClient(guest.Channel);
        var first = (await controller.CreateVolumeAsync(request)).Volume;
        var second = (await controller.CreateVolumeAsync(request)).Volume;
        Assert.Equal(first.VolumeId, second.VolumeId);

        var tagged = guest.Vm.Run($"lvs --noheadings -o lv_name,lv_tags {CsiGuest.Vg}").EnsureSuccess("lvs").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains(Cdd.Csi.Validation.VolumeId.NameTag("crash-me"))).ToList();
        Assert.Single(tagged);
        Assert.StartsWith(first.VolumeId.Split('/')[1], tagged[0]);
        var all = guest.Vm.Run($"lvs --noheadings -o lv_name {CsiGuest.Vg}").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(new[] { first.VolumeId.Split('/')[1], CsiGuest.Pool }.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));

        await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = first.VolumeId });
    }
}

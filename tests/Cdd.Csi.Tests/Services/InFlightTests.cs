using Cdd.Csi.Errors;
using Cdd.Csi.Services;
using Csi.V1;

namespace Cdd.Csi.Tests.Services;

/// <summary>
/// The spec's ABORTED: a second call on a volume while one is in flight fails at once, and the retry after it succeeds.
/// The first call is frozen inside its lvm2 work by <see cref="FakeLvm"/>, so the overlap is certain, not timed.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class InFlightTests
{
    static readonly DriverOptions Options = new() { NodeId = "n1", VolumeGroups = ["vg1"] };
    readonly FakeLvm _lvm = new();
    readonly ControllerService _controller;

    public InFlightTests() => _controller = new ControllerService(Options, TestBackends.Lvm(Options, _lvm));

    static CreateVolumeRequest Create(string name) => new()
    {
        Name = name,
        CapacityRange = new CapacityRange { RequiredBytes = 8 << 20 },
        Parameters = { ["volumeGroup"] = "vg1", ["thinPool"] = "pool" },
    };

    [Fact]
    public async Task Second_create_of_a_name_in_flight_is_aborted_and_its_retry_afterwards_returns_the_same_volume()
    {
        _lvm.Hold = true;
        var first = _controller.CreateVolume(Create("pvc-a"), null!);
        await _lvm.Parked.Task;

        var e = await Assert.ThrowsAsync<CsiException>(() => _controller.CreateVolume(Create("pvc-a"), null!));
        Assert.Equal(CsiFault.Aborted, e.Fault);

        _lvm.Release();
        var made = (await first).Volume;
        var retried = (await _controller.CreateVolume(Create("pvc-a"), null!)).Volume;
        Assert.Equal(made.VolumeId, retried.VolumeId);
        Assert.Equal(1, _lvm.Creates);
    }

    [Fact]
    public async Task Call_on_another_volume_waits_for_the_volume_group_instead_of_being_aborted()
    {
        _lvm.Hold = true;
        var first = _controller.CreateVolume(Create("pvc-a"), null!);
        await _lvm.Parked.Task;
        var other = _controller.CreateVolume(Create("pvc-b"), null!);
        Assert.False(other.IsCompleted);

        _lvm.Release();
        Assert.NotEqual((await first).Volume.VolumeId, (await other).Volume.VolumeId);
        Assert.Equal(2, _lvm.Creates);
    }

    [Fact]
    public async Task Delete_of_a_volume_being_expanded_is_aborted_and_succeeds_after()
    {
        var v = (await _controller.CreateVolume(Create("pvc-a"), null!)).Volume;
        _lvm.Hold = true;
        var grow = _controller.ControllerExpandVolume(new ControllerExpandVolumeRequest { VolumeId = v.VolumeId, CapacityRange = new CapacityRange { RequiredBytes = 16 << 20 } }, null!);
        await _lvm.Parked.Task;

        var e = await Assert.ThrowsAsync<CsiException>(() => _controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId }, null!));
        Assert.Equal(CsiFault.Aborted, e.Fault);

        _lvm.Release();
        Assert.Equal(16 << 20, (await grow).CapacityBytes);
        await _controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId }, null!);
        Assert.Empty((await _controller.ListVolumes(new ListVolumesRequest(), null!)).Entries);
    }
}

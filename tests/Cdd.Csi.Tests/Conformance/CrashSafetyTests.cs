using Csi.V1;
using Grpc.Core;
using static Cdd.Csi.Tests.Conformance.CsiRequests;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>
/// kill -9 of cdd-csi while CreateVolume runs, restart, repeat: exactly one LV for the name. The kill lands
/// wherever it lands (before, during or after lvcreate); the outcome must be the same in every case.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class CrashSafetyTests(CsiGuest guest) : IClassFixture<CsiGuest>
{
    /// <summary>
    /// Deterministic: the driver SIGKILLs itself right after lvcreate committed the LV and before it answers (the worst point:
    /// the LV exists, the caller never heard). The retry on a fresh driver must adopt that LV, not make a second one.
    /// </summary>
    [Theory]
    [InlineData("after-create")]
    [InlineData("before-create")]
    public async Task Create_volume_killed_at_a_fixed_point_then_repeated_after_restart_leaves_one_lv(string crashAt)
    {
        string name = "crash-" + crashAt;
        var request = CreateReq(name, 64 * Mi, thin: true);
        guest.KillAndRestartDriver(crashAt);
        try
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => new Controller.ControllerClient(guest.Channel).CreateVolumeAsync(request).ResponseAsync);
            Assert.Contains(e.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal, StatusCode.Cancelled });
            Assert.False(guest.DriverRunning, "the armed driver should have killed itself");
            Assert.Contains($"csi.test-crash {crashAt}", guest.DriverLog);
        }
        finally
        {
            guest.KillAndRestartDriver();
        }

        var controller = new Controller.ControllerClient(guest.Channel);
        var volume = (await controller.CreateVolumeAsync(request)).Volume;
        Assert.Equal(volume, (await controller.CreateVolumeAsync(request)).Volume);
        Assert.Equal(new[] { volume.VolumeId.Split('/')[1], CsiGuest.Pool }.Order(StringComparer.Ordinal), GuestLvs().Order(StringComparer.Ordinal));
        await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        Assert.Equal([CsiGuest.Pool], GuestLvs());
    }

    /// <summary>
    /// A restore into a larger volume is lvcreate --snapshot then lvextend: killed between the two, the retry on a fresh
    /// driver finds the copy by its name, source and tags and finishes the growth, instead of calling it ALREADY_EXISTS.
    /// </summary>
    [Fact]
    public async Task Restore_killed_between_snapshot_and_extend_is_finished_by_the_retry()
    {
        var controller = new Controller.ControllerClient(guest.Channel);
        var source = (await controller.CreateVolumeAsync(CreateReq("crash-restore-src", 64 * Mi, thin: true))).Volume;
        var snap = (await controller.CreateSnapshotAsync(new CreateSnapshotRequest { Name = "crash-restore-snap", SourceVolumeId = source.VolumeId })).Snapshot;
        var restore = CreateReq("crash-restore", 64 * Mi, thin: true);
        restore.CapacityRange.RequiredBytes = 128 << 20;
        restore.VolumeContentSource = new VolumeContentSource { Snapshot = new VolumeContentSource.Types.SnapshotSource { SnapshotId = snap.SnapshotId } };

        guest.KillAndRestartDriver("after-snapshot");
        try
        {
            await Assert.ThrowsAsync<RpcException>(() => new Controller.ControllerClient(guest.Channel).CreateVolumeAsync(restore).ResponseAsync);
            Assert.False(guest.DriverRunning, "the armed driver should have killed itself");
        }
        finally
        {
            guest.KillAndRestartDriver();
        }

        controller = new Controller.ControllerClient(guest.Channel);
        var restored = (await controller.CreateVolumeAsync(restore)).Volume;
        Assert.Equal(128L << 20, restored.CapacityBytes);
        Assert.Equal($"{128 << 20}\n", guest.Vm.Run($"lvs --noheadings --units b --nosuffix -o lv_size {restored.VolumeId} | tr -d ' '").EnsureSuccess("lvs").Stdout);
        Assert.Equal(restored, (await controller.CreateVolumeAsync(restore)).Volume);

        await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = restored.VolumeId });
        await controller.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snap.SnapshotId });
        await controller.DeleteVolumeAsync(new DeleteVolumeRequest { VolumeId = source.VolumeId });
        Assert.Equal([CsiGuest.Pool], GuestLvs());
    }

    string[] GuestLvs() => guest.Vm.Run($"lvs --noheadings -o lv_name {CsiGuest.Vg}").EnsureSuccess("lvs").Stdout
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Create_volume_killed_mid_call_then_repeated_after_restart_leaves_one_lv_and_no_orphan()
    {
        var request = CreateReq("crash-me", 64 * Mi, thin: true);
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

using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Node;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.Lvm;

/// <summary>The LVM backend's node side: the LV is local, so attaching is finding /dev/vg/lv; read-only is lvchange.</summary>
internal sealed class LvmNode(DriverOptions options, ILvm lvm, Locks locks, IDevices devices) : INodeBackend
{
    public string Name => Backends.Backends.Lvm;

    public bool Owns(string volumeId) => VolumeId.TryParse(volumeId) is not null;

    public Task<string> AttachAsync(AttachRequest request)
    {
        var id = VolumeId.Require(request.VolumeId);
        if (devices.Numbers(id.DevicePath) is null) throw new CsiException(CsiFault.NotFound, $"volume {id}: no device {id.DevicePath}");
        return Task.FromResult(id.DevicePath);
    }

    public Task<string?> DevicePathAsync(string volumeId)
    {
        var id = VolumeId.Require(volumeId);
        return Task.FromResult(devices.Numbers(id.DevicePath) is null ? null : id.DevicePath);
    }

    public Task DetachAsync(string volumeId) => Task.CompletedTask;

    /// <summary>lvchange refuses to set the permission the LV already has (a second read-only publish, a retried unpublish).</summary>
    public async Task SetReadOnlyAsync(string volumeId, bool readOnly)
    {
        var id = VolumeId.Require(volumeId);
        var lv = (await lvm.ReportAsync(id.Vg))?.Lvs.FirstOrDefault(l => l.Name == id.Lv)
            ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        if (lv.IsReadOnly != readOnly) await lvm.SetReadOnlyAsync(id.Vg, id.Lv, readOnly);
    }

    /// <summary>Nothing to do after ControllerExpandVolume; the whole job with --expand-on-node.</summary>
    public async Task GrowDeviceAsync(string volumeId, CapacityRange? range)
    {
        if (range is not { RequiredBytes: > 0 }) return;
        await VolumeGrowth.GrowAsync(lvm, locks, options, VolumeId.Require(volumeId), range);
    }

    public Task<string?> ProblemAsync(string volumeId) => Task.FromResult<string?>(null);
}

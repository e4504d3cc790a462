using Cdd.Csi.Backends;
using Cdd.Csi.Errors;
using Cdd.Csi.Validation;
using Csi.V1;

namespace Cdd.Csi.Lvm;

/// <summary>
/// lvextend of one of our LVs to a capacity range, with the VG's and thin pool's limits checked first. Shared by
/// ControllerExpandVolume and NodeExpandVolume: with --expand-on-node the controller capability is not advertised, so
/// external-resizer (which has no per-node mode) only records the new size and kubelet asks the node that holds the LV.
/// </summary>
internal static class VolumeGrowth
{
    /// <summary>The LV's size after growing (unchanged when it is already as big: a repeated call, or a shrink, which is never done).</summary>
    public static async Task<long> GrowAsync(ILvm lvm, Locks locks, DriverOptions options, VolumeId id, CapacityRange range)
    {
        if (!options.VolumeGroups.Contains(id.Vg)) throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        using var vgLock = await locks.VolumeGroupAsync(id.Vg);
        var (vg, lvs) = await lvm.ReportAsync(id.Vg)
            ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        var lv = lvs.FirstOrDefault(l => l.Name == id.Lv && l.Tags.Contains(VolumeId.OwnerTag))
            ?? throw new CsiException(CsiFault.NotFound, $"volume {id} does not exist");
        long size = new Capacity(vg.ExtentBytes, options.DefaultVolumeBytes).Size(range, null);
        if (size <= lv.SizeBytes) return lv.SizeBytes;
        long growth = size - lv.SizeBytes;
        if (lv.PoolLv.Length == 0) Capacity.RequireRoom(size, growth, vg.SizeBytes, vg.FreeBytes, $"volume group {vg.Name}");
        else if (lvs.FirstOrDefault(l => l.Name == lv.PoolLv) is { } pool)
            Capacity.RequireRoom(size, growth, (long)(pool.SizeBytes * options.ThinOverProvisionRatio), ThinAvailable(pool, lvs, options.ThinOverProvisionRatio), $"thin pool {pool.Name}");
        await lvm.ExtendAsync(id.Vg, id.Lv, size);
        return size;
    }

    /// <summary>What a thin pool may still promise: its size times the over-provision ratio, less every thin LV's virtual size (snapshots too).</summary>
    public static long ThinAvailable(LvInfo pool, IEnumerable<LvInfo> lvs, double ratio)
    {
        long promised = lvs.Where(l => l.PoolLv == pool.Name).Sum(l => l.SizeBytes);
        return Math.Max(0, (long)(pool.SizeBytes * ratio) - promised);
    }
}

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
        long size = Services.ControllerService.Size(range, vg.ExtentBytes, options.DefaultVolumeBytes);
        if (size <= lv.SizeBytes) return lv.SizeBytes;
        long growth = size - lv.SizeBytes;
        if (lv.PoolLv.Length == 0)
        {
            if (size > vg.SizeBytes) throw new CsiException(CsiFault.OutOfRange, $"{size} bytes is more than volume group {vg.Name} holds");
            if (growth > vg.FreeBytes) throw new CsiException(CsiFault.ResourceExhausted, $"volume group {vg.Name} has {vg.FreeBytes} bytes free, {growth} more needed");
        }
        else if (lvs.FirstOrDefault(l => l.Name == lv.PoolLv) is { } pool)
        {
            if (size > (long)(pool.SizeBytes * options.ThinOverProvisionRatio))
                throw new CsiException(CsiFault.OutOfRange, $"{size} bytes is more than thin pool {pool.Name} may promise");
            if (growth > ThinAvailable(pool, lvs, options.ThinOverProvisionRatio))
                throw new CsiException(CsiFault.ResourceExhausted, $"thin pool {pool.Name} cannot promise {growth} more bytes");
        }
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

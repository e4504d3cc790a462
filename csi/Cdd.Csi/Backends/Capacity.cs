using System.Globalization;
using Cdd.Csi.Errors;
using Csi.V1;

namespace Cdd.Csi.Backends;

/// <summary>
/// The one set of size rules every backend uses: a capacity range rounded up to the backend's granule (an LVM extent, a
/// LUN's block), the driver's default when no size is asked for, xfs's minimum, and the room checks (more than the
/// container holds: OUT_OF_RANGE; more than is free: RESOURCE_EXHAUSTED).
/// </summary>
internal readonly record struct Capacity(long Granule, long DefaultBytes)
{
    /// <summary>mkfs.xfs refuses a data section below 300 MiB.</summary>
    public const long XfsMinimumBytes = 300L << 20;

    /// <summary>
    /// Required bytes (or the default, within the limit) rounded up to whole granules; for xfs at least its minimum. The limit
    /// must leave room for the rounded size, else OUT_OF_RANGE.
    /// </summary>
    public long Size(CapacityRange? range, string? fsType)
    {
        long size = Round(range);
        // A volume too small for mkfs.xfs grows to its minimum, within the caller's limit.
        if (fsType == "xfs" && size < XfsMinimumBytes)
            size = Round(new CapacityRange { RequiredBytes = XfsMinimumBytes, LimitBytes = range?.LimitBytes ?? 0 });
        return size;
    }

    long Round(CapacityRange? range)
    {
        long required = range is { RequiredBytes: > 0 } ? range.RequiredBytes : Math.Min(DefaultBytes, range is { LimitBytes: > 0 } ? range.LimitBytes : long.MaxValue);
        long size = (required + Granule - 1) / Granule * Granule;
        if (size == 0) size = Granule;
        if (range is { LimitBytes: > 0 } && size > range.LimitBytes)
            throw new CsiException(CsiFault.OutOfRange,
                $"limit_bytes {range.LimitBytes} leaves no room for a whole {Granule.ToString(CultureInfo.InvariantCulture)}-byte unit at or above required_bytes {range.RequiredBytes}");
        return size;
    }

    /// <summary>
    /// <paramref name="size"/> must fit in what <paramref name="what"/> holds at all (<paramref name="total"/>: OUT_OF_RANGE), and
    /// the <paramref name="needed"/> new bytes in what it has free (RESOURCE_EXHAUSTED).
    /// </summary>
    public static void RequireRoom(long size, long needed, long total, long free, string what)
    {
        if (size > total) throw new CsiException(CsiFault.OutOfRange, $"{size} bytes is more than {what} holds or may promise ({total})");
        if (needed > free) throw new CsiException(CsiFault.ResourceExhausted, $"{what} has {free} bytes free, {needed} requested");
    }

    /// <summary>Whether a fixed-size unit (a pre-provisioned LUN) satisfies the range: at least required, at most the limit.</summary>
    public static bool Fits(long unitBytes, CapacityRange? range) =>
        unitBytes >= (range?.RequiredBytes ?? 0) && (range is not { LimitBytes: > 0 } || unitBytes <= range.LimitBytes);
}

using System.Globalization;

namespace Cdd.Csi.Lvm;

/// <summary>
/// Facts kept in LV tags (LVM allows [A-Za-z0-9_+.-/=!:&amp;#]): what a snapshot was taken of and when, and what a
/// volume was restored or cloned from. Written by the same lvcreate that makes the LV, so they never lag behind it.
/// </summary>
internal static class LvTags
{
    /// <summary>On a snapshot: the volume ID it was taken of (kept after that volume is deleted).</summary>
    public const string SourcePrefix = "cdd.io-source=";

    /// <summary>On a snapshot: creation time, Unix milliseconds.</summary>
    public const string CreatedPrefix = "cdd.io-created=";

    /// <summary>On a volume made from a content source: "snapshot:&lt;id&gt;" or "volume:&lt;id&gt;".</summary>
    public const string FromPrefix = "cdd.io-from=";

    public static string Source(string volumeId) => SourcePrefix + volumeId;

    public static string Created(DateTimeOffset at) => CreatedPrefix + at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static string From(string contentSource) => FromPrefix + contentSource;

    /// <summary>The value of the first tag with <paramref name="prefix"/>, or null.</summary>
    public static string? Value(LvInfo lv, string prefix) =>
        lv.Tags.FirstOrDefault(t => t.StartsWith(prefix, StringComparison.Ordinal)) is { } t ? t[prefix.Length..] : null;

    public static DateTimeOffset? CreatedAt(LvInfo lv) =>
        Value(lv, CreatedPrefix) is { } ms && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out long v)
            ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}

namespace Cdd.Csi.Lvm;

internal sealed record VgInfo(string Name, long SizeBytes, long FreeBytes, long ExtentBytes);

/// <summary>A VG and its LVs as one `lvs` call reports them.</summary>
internal sealed record VgReport(VgInfo Vg, IReadOnlyList<LvInfo> Lvs);

/// <summary>One logical volume as `lvs` reports it. <c>Attr</c> is lv_attr (e.g. "Vwi-aotz--": type, ..., state, open).</summary>
internal sealed record LvInfo(string Vg, string Name, long SizeBytes, IReadOnlyList<string> Tags, string PoolLv, string Attr, double DataPercent)
{
    public bool IsThinPool => Attr.Length > 0 && Attr[0] == 't';
    public bool IsOpen => Attr.Length > 5 && Attr[5] == 'o';
    public bool IsActive => Attr.Length > 4 && Attr[4] == 'a';

    /// <summary>lv_attr's permission: 'r' (read-only) or 'R' (activated read-only).</summary>
    public bool IsReadOnly => Attr.Length > 1 && Attr[1] is 'r' or 'R';
}

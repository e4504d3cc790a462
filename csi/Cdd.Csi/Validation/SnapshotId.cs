using Cdd.Csi.Errors;

namespace Cdd.Csi.Validation;

/// <summary>
/// A snapshot is "&lt;vg&gt;/snap-&lt;40 hex of SHA-256(name)&gt;": a thin snapshot LV of the source volume, in the source's pool.
/// Its name, source and creation time live in LV tags written by the same lvcreate, so a repeated call finds it.
/// </summary>
internal readonly record struct SnapshotId(string Vg, string Lv)
{
    public const string Prefix = "snap-";
    public const string OwnerTag = "cdd.io-csi-snapshot";

    public override string ToString() => $"{Vg}/{Lv}";

    public static string LvNameFor(string requestName) => Prefix + VolumeId.Hash40(requestName);

    /// <summary>Parses an ID; null when it is not one of ours (NOT_FOUND for a restore, success for a delete).</summary>
    public static SnapshotId? TryParse(string id)
    {
        int slash = id.IndexOf('/');
        if (slash <= 0 || slash != id.LastIndexOf('/')) return null;
        string vg = id[..slash], lv = id[(slash + 1)..];
        if (!VolumeId.IsLvmName(vg) || !lv.StartsWith(Prefix, StringComparison.Ordinal) || lv.Length != Prefix.Length + 40) return null;
        if (!lv.AsSpan(Prefix.Length).ContainsOnlyHex()) return null;
        return new SnapshotId(vg, lv);
    }

    public static SnapshotId Require(string id, string field = "snapshot_id")
    {
        if (string.IsNullOrEmpty(id)) throw CsiException.Invalid($"{field} is required");
        return TryParse(id) ?? throw new CsiException(CsiFault.NotFound, $"{field} {id}: no such snapshot (not an ID this driver issued)");
    }
}

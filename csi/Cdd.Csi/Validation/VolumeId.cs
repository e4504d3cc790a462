using System.Security.Cryptography;
using System.Text;
using Cdd.Csi.Errors;

namespace Cdd.Csi.Validation;

/// <summary>
/// A volume is "&lt;vg&gt;/&lt;lv&gt;". The LV name is derived from the request name (csi- + 40 hex of its SHA-256), so a
/// repeated CreateVolume, even after a crash mid-call, finds the same LV; the full name is kept in a tag.
/// </summary>
internal readonly record struct VolumeId(string Vg, string Lv)
{
    public const string Prefix = "csi-";
    public const string OwnerTag = "cdd.io-csi";
    public const string NameTagPrefix = "cdd.io-name=";

    public override string ToString() => $"{Vg}/{Lv}";

    public string DevicePath => $"/dev/{Vg}/{Lv}";

    public static string LvNameFor(string requestName) => Prefix + Hash40(requestName);

    /// <summary>40 hex digits of SHA-256 of the UTF-8 name: short enough for LVM's names, collision-free in practice.</summary>
    public static string Hash40(string requestName) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requestName)))[..40];

    /// <summary>LVM tags allow [A-Za-z0-9_+.-/=!:&amp;#] only: the name goes in as hex of its UTF-8 bytes.</summary>
    public static string NameTag(string requestName) => NameTagPrefix + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(requestName));

    /// <summary>Parses an ID; null when it is not one of ours (the caller decides: NOT_FOUND, or success on delete).</summary>
    public static VolumeId? TryParse(string id)
    {
        int slash = id.IndexOf('/');
        if (slash <= 0 || slash != id.LastIndexOf('/')) return null;
        string vg = id[..slash], lv = id[(slash + 1)..];
        if (!IsLvmName(vg) || !lv.StartsWith(Prefix, StringComparison.Ordinal) || lv.Length != Prefix.Length + 40) return null;
        if (!lv.AsSpan(Prefix.Length).ContainsOnlyHex()) return null;
        return new VolumeId(vg, lv);
    }

    public static VolumeId Require(string id, string field = "volume_id")
    {
        if (string.IsNullOrEmpty(id)) throw CsiException.Invalid($"{field} is required");
        return TryParse(id) ?? throw new CsiException(CsiFault.NotFound, $"{field} {id}: no such volume (not an ID this driver issued)");
    }

    /// <summary>VG names per lvm(8): [a-zA-Z0-9+_.-], not starting with '-', not "." or "..".</summary>
    public static bool IsLvmName(string s) =>
        s.Length is > 0 and <= 127 && s[0] != '-' && s != "." && s != ".." &&
        s.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '_' or '.' or '-');
}

static class HexExtensions
{
    public static bool ContainsOnlyHex(this ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}

using System.Text.RegularExpressions;

namespace Cdd.Csi.San;

/// <summary>
/// A LUN's WWID as multipath names it: SCSI name type 3 (NAA) + the NAA designator in lower-case hex, e.g. LIO's
/// "36001405" + 25 hex digits of the unit serial. sysfs shows it as "naa.6001405...".
/// </summary>
internal static partial class Wwid
{
    public static bool IsValid(string s) => Pattern().IsMatch(s);

    /// <summary>sysfs <c>device/wwid</c> ("naa.600140...") as multipath's WWID ("3600140..."), or null for other designator types.</summary>
    public static string? FromSysfs(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        return t.StartsWith("naa.", StringComparison.Ordinal) && IsValid("3" + t[4..]) ? "3" + t[4..] : null;
    }

    /// <summary>
    /// What LIO reports for a unit serial: NAA 6 with OUI 00:14:05 (6001405), then the serial's first 25 hex digits
    /// (its other characters skipped), as spc_gen_naa_6h_vendor_specific builds it.
    /// </summary>
    public static string ForLioSerial(string serial)
    {
        var hex = new string(serial.Where(char.IsAsciiHexDigit).Take(25).Select(char.ToLowerInvariant).ToArray()).PadRight(25, '0');
        return "36001405" + hex;
    }

    [GeneratedRegex("^3([0-9a-f]{16}|[0-9a-f]{32})$")]
    private static partial Regex Pattern();
}

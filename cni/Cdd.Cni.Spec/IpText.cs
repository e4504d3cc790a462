using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Cdd.Net;

namespace Cdd.Cni.Spec;

/// <summary>
/// Strict address parsing for config and result text. IPAddress.TryParse also takes "1", "1.2" or "010.0.0.1"
/// (inet_aton forms), which Go plugins reject; a runtime must see the same judgement from us as from them.
/// </summary>
internal static class IpText
{
    public static bool TryParseAddress([NotNullWhen(true)] string? s, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(s) || s.Contains('%')) return false;
        if (s.Contains(':'))
        {
            if (!IPAddress.TryParse(s, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
            address = v6;
            return true;
        }
        var parts = s.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0')) return false;
            foreach (char c in p) if (!char.IsAsciiDigit(c)) return false;
            if (int.Parse(p) > 255) return false;
        }
        address = IPAddress.Parse(s);
        return true;
    }

    public static bool TryParsePrefix([NotNullWhen(true)] string? s, out IpPrefix prefix)
    {
        prefix = default;
        if (s is null) return false;
        int slash = s.IndexOf('/');
        return slash > 0 && TryParseAddress(s[..slash], out _) && IpPrefix.TryParse(s, out prefix);
    }
}

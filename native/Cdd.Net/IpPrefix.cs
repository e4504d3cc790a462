using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Cdd.Net;

/// <summary>An address with its prefix length ("10.1.0.5/24"); the host bits are kept.</summary>
public readonly record struct IpPrefix(IPAddress Address, int PrefixLength)
{
    public AddressFamily Family => Address.AddressFamily;

    public static IpPrefix Parse(string s) =>
        TryParse(s, out var p) ? p : throw new FormatException($"'{s}' is not an address with a prefix length (like 10.1.0.5/24)");

    public static bool TryParse([NotNullWhen(true)] string? s, out IpPrefix prefix)
    {
        prefix = default;
        if (s is null) return false;
        int slash = s.IndexOf('/');
        if (slash <= 0) return false;
        if (!IPAddress.TryParse(s.AsSpan(0, slash), out var addr)) return false;
        if (addr.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) return false;
        if (!int.TryParse(s.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out int len)) return false;
        int max = addr.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (len < 0 || len > max) return false;
        prefix = new IpPrefix(addr, len);
        return true;
    }

    /// <summary>The network part only (host bits cleared).</summary>
    public IpPrefix Network()
    {
        var bytes = Address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bitsHere = Math.Clamp(PrefixLength - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }
        return new IpPrefix(new IPAddress(bytes), PrefixLength);
    }

    public bool Contains(IPAddress other)
    {
        if (other.AddressFamily != Family) return false;
        return new IpPrefix(other, PrefixLength).Network().Address.Equals(Network().Address);
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Cdd.Net;

/// <summary>A 48-bit Ethernet address.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static MacAddress Zero => new(0);
    public static MacAddress Broadcast => new(0xFFFF_FFFF_FFFF);

    public bool IsMulticast => (Value >> 40 & 1) == 1;
    public bool IsZero => Value == 0;

    public static MacAddress Parse(string s) =>
        TryParse(s, out var m) ? m : throw new FormatException($"'{s}' is not a MAC address (like 02:42:ac:11:00:02)");

    public static bool TryParse([NotNullWhen(true)] string? s, out MacAddress mac)
    {
        mac = default;
        if (s is null || s.Length != 17) return false;
        ulong v = 0;
        for (int i = 0; i < 6; i++)
        {
            if (i > 0 && s[i * 3 - 1] is not (':' or '-')) return false;
            if (!byte.TryParse(s.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, null, out byte b)) return false;
            v = v << 8 | b;
        }
        mac = new MacAddress(v);
        return true;
    }

    public static MacAddress FromBytes(ReadOnlySpan<byte> b)
    {
        if (b.Length != 6) throw new ArgumentException("a MAC address has 6 bytes", nameof(b));
        ulong v = 0;
        foreach (byte x in b) v = v << 8 | x;
        return new MacAddress(v);
    }

    public void WriteTo(Span<byte> dest)
    {
        for (int i = 0; i < 6; i++) dest[i] = (byte)(Value >> (40 - 8 * i));
    }

    public byte[] ToBytes()
    {
        var b = new byte[6];
        WriteTo(b);
        return b;
    }

    /// <summary>A random locally administered unicast address.</summary>
    public static MacAddress NewRandom()
    {
        Span<byte> b = stackalloc byte[6];
        Random.Shared.NextBytes(b);
        b[0] = (byte)((b[0] & 0xFE) | 0x02);
        return FromBytes(b);
    }

    public override string ToString()
    {
        Span<char> c = stackalloc char[17];
        for (int i = 0; i < 6; i++)
        {
            byte x = (byte)(Value >> (40 - 8 * i));
            x.TryFormat(c[(i * 3)..], out _, "x2");
            if (i < 5) c[i * 3 + 2] = ':';
        }
        return new string(c);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Cdd.Net;

namespace Cdd.Ipam.Addressing;

/// <summary>Addresses as 128-bit integers, so IPv4 and IPv6 share one arithmetic (IPv4 uses the low 32 bits).</summary>
public static class IpMath
{
    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int n);
        return n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt128BigEndian(b);
    }

    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> b4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b4, (uint)value);
            return new IPAddress(b4);
        }
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(b, value);
        return new IPAddress(b);
    }

    public static int Bits(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>First and last address of a prefix.</summary>
    public static (UInt128 First, UInt128 Last) Bounds(IpPrefix prefix)
    {
        int hostBits = Bits(prefix.Family) - prefix.PrefixLength;
        UInt128 hostMask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        UInt128 first = ToNumber(prefix.Address) & ~hostMask;
        return (first, first | hostMask);
    }

    public static bool IsCanonical(IpPrefix prefix) => Bounds(prefix).First == ToNumber(prefix.Address);
}

using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cdd.Native.Netlink;

/// <summary>Walks a run of rtattrs. Malformed lengths end the walk rather than read past the buffer.</summary>
public ref struct AttributeReader
{
    ReadOnlySpan<byte> _rest;

    public AttributeReader(ReadOnlySpan<byte> attributes) => _rest = attributes;

    public ushort Type { get; private set; }
    public ReadOnlySpan<byte> Value { get; private set; }

    public bool Next()
    {
        if (_rest.Length < 4) return false;
        int len = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
        if (len < 4 || len > _rest.Length) return false;
        // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the top two bits of the type.
        Type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]) & 0x3FFF);
        Value = _rest[4..len];
        int step = MessageWriter.Align(len);
        _rest = step >= _rest.Length ? [] : _rest[step..];
        return true;
    }

    public static string ReadString(ReadOnlySpan<byte> v)
    {
        int nul = v.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? v[..nul] : v);
    }

    public static uint ReadU32(ReadOnlySpan<byte> v) => v.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(v) : 0;
    public static ushort ReadU16(ReadOnlySpan<byte> v) => v.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(v) : (ushort)0;
    public static IPAddress ReadAddress(ReadOnlySpan<byte> v) => new(v);
}

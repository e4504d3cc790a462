using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cdd.Native.Netlink;

/// <summary>
/// Builds one netlink request: the nlmsghdr, the family header and the attributes, all 4-byte aligned.
/// Nested attributes are opened with <see cref="BeginNested"/> and closed with <see cref="EndNested"/>.
/// </summary>
public sealed class MessageWriter
{
    byte[] _buf = new byte[512];
    int _len;

    public MessageWriter(ushort type, ushort flags)
    {
        _len = Nl.HeaderSize;
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(6), flags);
    }

    /// <summary>struct ifinfomsg.</summary>
    public MessageWriter IfInfo(byte family = Nl.AF_UNSPEC, int index = 0, uint flags = 0, uint change = 0)
    {
        var s = Reserve(Nl.IfInfoMsgSize);
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], change);
        return this;
    }

    /// <summary>struct ifaddrmsg.</summary>
    public MessageWriter IfAddr(byte family, byte prefixLen, byte flags, byte scope, int index)
    {
        var s = Reserve(Nl.IfAddrMsgSize);
        s[0] = family; s[1] = prefixLen; s[2] = flags; s[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        return this;
    }

    /// <summary>struct rtmsg.</summary>
    public MessageWriter RtMsg(byte family, byte dstLen, byte table, byte protocol, byte scope, byte type)
    {
        var s = Reserve(Nl.RtMsgSize);
        s[0] = family; s[1] = dstLen; s[4] = table; s[5] = protocol; s[6] = scope; s[7] = type;
        return this;
    }

    /// <summary>struct ndmsg.</summary>
    public MessageWriter NdMsg(byte family, int index, ushort state, byte flags)
    {
        var s = Reserve(Nl.NdMsgSize);
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], state);
        s[10] = flags;
        return this;
    }

    public MessageWriter Attr(ushort type, ReadOnlySpan<byte> value)
    {
        var s = Reserve(Align(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        value.CopyTo(s[4..]);
        return this;
    }

    public MessageWriter U8(ushort type, byte v) => Attr(type, [v]);

    public MessageWriter U16(ushort type, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return Attr(type, b);
    }

    /// <summary>A 16-bit value in network byte order (VXLAN port).</summary>
    public MessageWriter U16BigEndian(ushort type, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return Attr(type, b);
    }

    public MessageWriter U32(ushort type, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return Attr(type, b);
    }

    public MessageWriter S32(ushort type, int v) => U32(type, unchecked((uint)v));

    /// <summary>A NUL-terminated string, as the kernel expects for names and kinds.</summary>
    public MessageWriter String(ushort type, string v)
    {
        int n = Encoding.UTF8.GetByteCount(v);
        Span<byte> b = n < 256 ? stackalloc byte[n + 1] : new byte[n + 1];
        Encoding.UTF8.GetBytes(v, b);
        b[n] = 0;
        return Attr(type, b);
    }

    public MessageWriter Address(ushort type, IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int written);
        return Attr(type, b[..written]);
    }

    /// <summary>Opens a nested attribute; returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        int at = _len;
        var s = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        return at;
    }

    public MessageWriter EndNested(int at)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buf.AsSpan(at), (ushort)(_len - at));
        return this;
    }

    /// <summary>Finishes the message with the given sequence number and returns its bytes.</summary>
    public ReadOnlySpan<byte> Finish(uint seq)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buf, (uint)_len);
        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(8), seq);
        return _buf.AsSpan(0, _len);
    }

    public static int Align(int n) => (n + 3) & ~3;

    Span<byte> Reserve(int n)
    {
        int need = _len + Align(n);
        if (need > _buf.Length) Array.Resize(ref _buf, Math.Max(need, _buf.Length * 2));
        var s = _buf.AsSpan(_len, Align(n));
        s.Clear();
        _len = need;
        return s[..n];
    }
}

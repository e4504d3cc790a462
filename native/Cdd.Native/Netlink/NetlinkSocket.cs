using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Cdd.Native.Netlink;

/// <summary>A reply from the kernel: the message type, its flags and the bytes after the nlmsghdr.</summary>
public readonly record struct NetlinkMessage(ushort Type, ushort Flags, byte[] Body);

/// <summary>
/// A NETLINK_ROUTE socket. A socket stays bound to the network namespace it was opened in, so a
/// socket opened inside a pod's namespace can be used from any thread afterwards.
/// Not thread-safe: one request at a time.
/// </summary>
public sealed unsafe class NetlinkSocket : IDisposable
{
    const int MSG_TRUNC = 0x20;
    const int DumpRetries = 10;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }

    int _fd;
    uint _seq;
    readonly uint _portId;
    byte[] _rx = new byte[64 * 1024];

    NetlinkSocket(int fd, uint portId)
    {
        _fd = fd;
        _portId = portId;
        _seq = (uint)Environment.TickCount;
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open()
    {
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, Nl.NETLINK_ROUTE);
        if (fd < 0) throw ErrnoException.FromLast("socket(AF_NETLINK)");
        try
        {
            var sa = new SockaddrNl { Family = (ushort)AF_NETLINK };
            if (bind(fd, (sockaddr*)&sa, (socklen_t)sizeof(SockaddrNl)) < 0) throw ErrnoException.FromLast("bind(netlink)");
            socklen_t len = (socklen_t)sizeof(SockaddrNl);
            if (getsockname(fd, (sockaddr*)&sa, &len) < 0) throw ErrnoException.FromLast("getsockname(netlink)");
            int one = 1;
            // Extended ACKs give the kernel's reason ("MTU too large"); older kernels ignore the option.
            _ = setsockopt(fd, Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, &one, (socklen_t)sizeof(int));
            return new NetlinkSocket(fd, sa.Pid);
        }
        catch
        {
            _ = close(fd);
            throw;
        }
    }

    /// <summary>Sends a request and waits for the kernel's ACK; a NACK becomes a <see cref="NetlinkException"/>.</summary>
    public void Request(MessageWriter msg, string operation, string? iface = null) =>
        Exchange(msg, Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, operation, iface, null);

    /// <summary>Sends a request that gets exactly one reply (a GET by index or name).</summary>
    public NetlinkMessage Get(MessageWriter msg, string operation, string? iface = null)
    {
        var replies = new List<NetlinkMessage>(1);
        Exchange(msg, Nl.NLM_F_REQUEST, operation, iface, replies);
        if (replies.Count == 0) throw new NetlinkException(Errno.ENODATA, operation, iface, "no reply");
        return replies[0];
    }

    /// <summary>Runs a dump; an interrupted dump (the set changed under it) is retried from the start.</summary>
    public List<NetlinkMessage> Dump(MessageWriter msg, string operation)
    {
        for (int attempt = 0; ; attempt++)
        {
            var replies = new List<NetlinkMessage>();
            bool interrupted = Exchange(msg, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, operation, null, replies);
            if (!interrupted) return replies;
            if (attempt == DumpRetries) throw new NetlinkException(Errno.EINTR, operation, null, "dump kept being interrupted");
        }
    }

    /// <returns>true when a dump reply carried NLM_F_DUMP_INTR.</returns>
    bool Exchange(MessageWriter msg, ushort flags, string operation, string? iface, List<NetlinkMessage>? replies)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        uint seq = ++_seq;
        var bytes = msg.Finish(seq);
        // OR the request flags into the header the writer left.
        ushort have = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        fixed (byte* p = bytes)
        {
            *(ushort*)(p + 6) = (ushort)(have | flags);
            var kernel = new SockaddrNl { Family = (ushort)AF_NETLINK };
            while (true)
            {
                long n = sendto(_fd, p, (size_t)bytes.Length, 0, (sockaddr*)&kernel, (socklen_t)sizeof(SockaddrNl));
                if (n >= 0) break;
                if (errno != EINTR) throw ErrnoException.FromLast(operation, "(netlink send)");
            }
        }

        bool dump = (flags & Nl.NLM_F_DUMP) == Nl.NLM_F_DUMP;
        bool ack = (flags & Nl.NLM_F_ACK) != 0;
        bool interrupted = false;
        while (true)
        {
            int n = Receive(operation);
            int off = 0;
            while (off + Nl.HeaderSize <= n)
            {
                var span = _rx.AsSpan(off, n - off);
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(span);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
                ushort mflags = BinaryPrimitives.ReadUInt16LittleEndian(span[6..]);
                uint mseq = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
                uint mpid = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
                if (len < Nl.HeaderSize || len > span.Length) break;
                off += MessageWriter.Align(len);
                if (mseq != seq || mpid != _portId) continue; // a stale reply to an earlier request
                var body = span[Nl.HeaderSize..len];
                if ((mflags & Nl.NLM_F_DUMP_INTR) != 0) interrupted = true;

                if (type == Nl.NLMSG_ERROR)
                {
                    int err = BinaryPrimitives.ReadInt32LittleEndian(body);
                    if (err == 0) return interrupted; // ACK
                    throw new NetlinkException((Errno)(-err), operation, iface, ExtAckMessage(body, mflags));
                }
                if (type == Nl.NLMSG_DONE) return interrupted;
                if (type == Nl.NLMSG_NOOP) continue;
                replies?.Add(new NetlinkMessage(type, mflags, body.ToArray()));
                if (!dump && !ack && (mflags & Nl.NLM_F_MULTI) == 0) return interrupted;
            }
        }
    }

    int Receive(string operation)
    {
        while (true)
        {
            long n;
            fixed (byte* p = _rx) n = recv(_fd, p, (size_t)_rx.Length, MSG_TRUNC | MSG_PEEK);
            if (n < 0)
            {
                if (errno == EINTR) continue;
                throw ErrnoException.FromLast(operation, "(netlink receive)");
            }
            if (n > _rx.Length) _rx = new byte[(int)n];
            fixed (byte* p = _rx) n = recv(_fd, p, (size_t)_rx.Length, 0);
            if (n < 0)
            {
                if (errno == EINTR) continue;
                throw ErrnoException.FromLast(operation, "(netlink receive)");
            }
            return (int)n;
        }
    }

    /// <summary>The NLMSGERR_ATTR_MSG string of an extended ACK, if any.</summary>
    static string? ExtAckMessage(ReadOnlySpan<byte> errBody, ushort flags)
    {
        if ((flags & Nl.NLM_F_ACK_TLVS) == 0 || errBody.Length < 4 + Nl.HeaderSize) return null;
        int origLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(errBody[4..]);
        // Without NLM_F_CAPPED the whole original request is echoed before the TLVs.
        int skip = 4 + ((flags & Nl.NLM_F_CAPPED) != 0 ? Nl.HeaderSize : MessageWriter.Align(origLen));
        if (skip > errBody.Length) return null;
        var r = new AttributeReader(errBody[skip..]);
        while (r.Next())
            if (r.Type == Nl.NLMSGERR_ATTR_MSG) return AttributeReader.ReadString(r.Value);
        return null;
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = close(_fd);
            _fd = -1;
        }
    }
}

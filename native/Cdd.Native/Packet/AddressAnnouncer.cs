using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace Cdd.Native.Packet;

/// <summary>
/// Tells the segment that an address now lives at a MAC: a gratuitous ARP request for IPv4, an
/// unsolicited neighbour advertisement for IPv6. Pod addresses move between pods and nodes, and
/// switches and peers would otherwise keep sending to the old MAC until their caches age out.
/// Call it from a thread inside the interface's namespace (sockets bind to the caller's namespace).
/// </summary>
public static unsafe class AddressAnnouncer
{
    const ushort ETH_P_ARP = 0x0806;
    const int ICMPV6_NA = 136;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol; // network byte order
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public fixed byte Addr[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct SockaddrIn6
    {
        public ushort Family;
        public ushort Port;
        public uint FlowInfo;
        public fixed byte Addr[16];
        public uint ScopeId;
    }

    public static void Announce(int ifIndex, MacAddress mac, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) GratuitousArp(ifIndex, mac, address);
        else UnsolicitedNa(ifIndex, mac, address);
    }

    static void GratuitousArp(int ifIndex, MacAddress mac, IPAddress address)
    {
        int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
        if (fd < 0) throw ErrnoException.FromLast("socket(AF_PACKET)");
        try
        {
            Span<byte> arp = stackalloc byte[28];
            BinaryPrimitives.WriteUInt16BigEndian(arp, 1);          // Ethernet
            BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800); // IPv4
            arp[4] = 6;
            arp[5] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);      // request: updates caches and is answered by no one
            mac.WriteTo(arp[8..]);
            address.TryWriteBytes(arp[14..], out _);
            // target MAC stays zero; target IP is our own address: that is what makes it gratuitous
            address.TryWriteBytes(arp[24..], out _);

            var to = new SockaddrLl { Family = (ushort)AF_PACKET, Protocol = htons(ETH_P_ARP), IfIndex = ifIndex, HaLen = 6 };
            for (int i = 0; i < 6; i++) to.Addr[i] = 0xFF;
            fixed (byte* p = arp)
                if (sendto(fd, p, 28, 0, (Tmds.Linux.sockaddr*)&to, (uint)sizeof(SockaddrLl)) < 0)
                    throw ErrnoException.FromLast("send gratuitous ARP", address.ToString());
        }
        finally
        {
            close(fd);
        }
    }

    static void UnsolicitedNa(int ifIndex, MacAddress mac, IPAddress address)
    {
        int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
        if (fd < 0) throw ErrnoException.FromLast("socket(ICMPv6)");
        try
        {
            int hops = 255; // RFC 4861: receivers drop NAs with any other hop limit
            setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(int));
            Span<byte> na = stackalloc byte[32];
            na[0] = ICMPV6_NA;
            BinaryPrimitives.WriteUInt32BigEndian(na[4..], 0x2000_0000); // Override flag; the kernel fills the checksum
            address.TryWriteBytes(na[8..], out _);
            na[24] = 2; // option: target link-layer address
            na[25] = 1; // length in units of 8 bytes
            mac.WriteTo(na[26..]);

            var to = new SockaddrIn6 { Family = (ushort)AF_INET6, ScopeId = (uint)ifIndex };
            to.Addr[0] = 0xFF; to.Addr[1] = 0x02; to.Addr[15] = 0x01; // ff02::1, all nodes
            fixed (byte* p = na)
                if (sendto(fd, p, 32, 0, (Tmds.Linux.sockaddr*)&to, (uint)sizeof(SockaddrIn6)) < 0)
                    throw ErrnoException.FromLast("send unsolicited neighbour advertisement", address.ToString());
        }
        finally
        {
            close(fd);
        }
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

public sealed class RtnlAddresses(NetlinkSocket socket) : IAddresses
{
    public void Add(int index, IpPrefix address, string? nameForErrors = null)
    {
        bool v4 = address.Family == AddressFamily.InterNetwork;
        var msg = new MessageWriter(Nl.RTM_NEWADDR, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL)
            .IfAddr(v4 ? Nl.AF_INET : Nl.AF_INET6, (byte)address.PrefixLength, 0, Nl.RT_SCOPE_UNIVERSE, index)
            .Address(Nl.IFA_LOCAL, address.Address)
            .Address(Nl.IFA_ADDRESS, address.Address);
        if (v4 && address.PrefixLength < 31) msg.Address(Nl.IFA_BROADCAST, Broadcast(address));
        // Pod addresses move between pods and nodes: skip DAD so the address is usable at once.
        if (!v4) msg.U32(Nl.IFA_FLAGS, Nl.IFA_F_NODAD);
        socket.Request(msg, $"add address {address}", nameForErrors ?? $"#{index}");
    }

    public void Delete(int index, IpPrefix address, string? nameForErrors = null)
    {
        bool v4 = address.Family == AddressFamily.InterNetwork;
        var msg = new MessageWriter(Nl.RTM_DELADDR, 0)
            .IfAddr(v4 ? Nl.AF_INET : Nl.AF_INET6, (byte)address.PrefixLength, 0, 0, index)
            .Address(Nl.IFA_LOCAL, address.Address);
        socket.Request(msg, $"delete address {address}", nameForErrors ?? $"#{index}");
    }

    public List<LinkAddress> List(int index = 0)
    {
        var result = new List<LinkAddress>();
        foreach (var m in socket.Dump(new MessageWriter(Nl.RTM_GETADDR, 0).IfAddr(Nl.AF_UNSPEC, 0, 0, 0, 0), "list addresses"))
        {
            if (m.Type != Nl.RTM_NEWADDR) continue;
            var body = m.Body.AsSpan();
            int idx = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            if (index != 0 && idx != index) continue;
            IPAddress? local = null, address = null;
            var r = new AttributeReader(body[Nl.IfAddrMsgSize..]);
            while (r.Next())
            {
                if (r.Type == Nl.IFA_LOCAL) local = AttributeReader.ReadAddress(r.Value);
                else if (r.Type == Nl.IFA_ADDRESS) address = AttributeReader.ReadAddress(r.Value);
            }
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
            var own = local ?? address;
            if (own is not null) result.Add(new LinkAddress(idx, new IpPrefix(own, body[1]), body[3]));
        }
        return result;
    }

    static IPAddress Broadcast(IpPrefix p)
    {
        var b = p.Address.GetAddressBytes();
        uint v = BinaryPrimitives.ReadUInt32BigEndian(b) | (uint.MaxValue >> p.PrefixLength);
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return new IPAddress(b);
    }
}

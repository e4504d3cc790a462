using System.Buffers.Binary;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>
/// SR-IOV VF settings through the PF over rtnetlink: read with RTM_GETLINK and RTEXT_FILTER_VF (IFLA_VFINFO_LIST),
/// written one setting per RTM_NEWLINK so a driver that refuses one is named precisely.
/// </summary>
public sealed class RtnlVfs(NetlinkSocket socket)
{
    const ushort IFLA_VF_INFO = 1;
    const ushort IFLA_VF_MAC = 1, IFLA_VF_VLAN = 2, IFLA_VF_SPOOFCHK = 4, IFLA_VF_LINK_STATE = 5, IFLA_VF_RATE = 6,
        IFLA_VF_TRUST = 9, IFLA_VF_VLAN_LIST = 12;
    const ushort IFLA_VF_VLAN_INFO = 1;
    const uint RTEXT_FILTER_VF = 1;

    /// <summary>The VFs the PF reports, or an empty list when its driver reports none (not an SR-IOV PF).</summary>
    public List<VfInfo> List(int pfIndex, string? pfName = null)
    {
        var msg = new MessageWriter(Nl.RTM_GETLINK, 0).IfInfo(index: pfIndex).U32(Nl.IFLA_EXT_MASK, RTEXT_FILTER_VF);
        var body = socket.Get(msg, "get VF settings", pfName ?? $"#{pfIndex}").Body;
        return Parse(body);
    }

    public static List<VfInfo> Parse(ReadOnlySpan<byte> linkBody)
    {
        var result = new List<VfInfo>();
        var r = new AttributeReader(linkBody[Nl.IfInfoMsgSize..]);
        while (r.Next())
        {
            if (r.Type != Nl.IFLA_VFINFO_LIST) continue;
            var list = new AttributeReader(r.Value);
            while (list.Next())
                if ((list.Type & 0x3FFF) == IFLA_VF_INFO) result.Add(ParseOne(list.Value));
        }
        return result;
    }

    static VfInfo ParseOne(ReadOnlySpan<byte> info)
    {
        int index = -1, vlan = 0, qos = 0;
        MacAddress? mac = null;
        var proto = VlanProtocol.Dot1Q;
        bool? spoof = null, trust = null;
        VfLinkState? state = null;
        uint min = 0, max = 0;
        var a = new AttributeReader(info);
        while (a.Next())
        {
            var v = a.Value;
            switch (a.Type & 0x3FFF)
            {
                case IFLA_VF_MAC when v.Length >= 10:
                    index = (int)U32(v, 0);
                    mac = MacAddress.FromBytes(v.Slice(4, 6));
                    break;
                case IFLA_VF_VLAN when v.Length >= 12:
                    vlan = (int)U32(v, 4);
                    qos = (int)U32(v, 8);
                    break;
                case IFLA_VF_VLAN_LIST:
                {
                    var l = new AttributeReader(v);
                    while (l.Next())
                        if ((l.Type & 0x3FFF) == IFLA_VF_VLAN_INFO && l.Value.Length >= 14)
                        {
                            proto = (VlanProtocol)BinaryPrimitives.ReadUInt16BigEndian(l.Value[12..]);
                            break;
                        }
                    break;
                }
                case IFLA_VF_SPOOFCHK when v.Length >= 8:
                    spoof = Setting(U32(v, 4));
                    break;
                case IFLA_VF_TRUST when v.Length >= 8:
                    trust = Setting(U32(v, 4));
                    break;
                case IFLA_VF_LINK_STATE when v.Length >= 8:
                    state = (VfLinkState)U32(v, 4);
                    break;
                case IFLA_VF_RATE when v.Length >= 12:
                    min = U32(v, 4);
                    max = U32(v, 8);
                    break;
            }
        }
        return new VfInfo
        {
            Index = index, Mac = mac, Vlan = vlan, Qos = qos, VlanProtocol = proto, SpoofCheck = spoof, Trust = trust,
            LinkState = state, MinTxRate = min, MaxTxRate = max,
        };
    }

    static uint U32(ReadOnlySpan<byte> v, int at) => BinaryPrimitives.ReadUInt32LittleEndian(v[at..]);

    static bool? Setting(uint v) => v == uint.MaxValue ? null : v != 0;

    /// <summary>Applies each setting of <paramref name="change"/> to VF <paramref name="vf"/> of the PF, in a fixed order.</summary>
    public void Apply(int pfIndex, int vf, VfChange change, string? pfName = null)
    {
        string on = pfName ?? $"#{pfIndex}";
        uint v = (uint)vf;
        if (change.Mac is { } mac)
        {
            Span<byte> s = stackalloc byte[36];
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
            mac.WriteTo(s[4..]);
            Set(pfIndex, IFLA_VF_MAC, s, $"set VF {vf} mac {mac}", on);
        }
        if (change.Vlan is var (vlan, qos, proto))
        {
            if (proto == VlanProtocol.Dot1Q)
            {
                Span<byte> s = stackalloc byte[12];
                BinaryPrimitives.WriteUInt32LittleEndian(s, v);
                BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)vlan);
                BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)qos);
                Set(pfIndex, IFLA_VF_VLAN, s, $"set VF {vf} vlan {vlan} qos {qos}", on);
            }
            else
            {
                var msg = new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: pfIndex);
                int list = msg.BeginNested(Nl.IFLA_VFINFO_LIST);
                int info = msg.BeginNested(IFLA_VF_INFO);
                int vlans = msg.BeginNested(IFLA_VF_VLAN_LIST);
                Span<byte> s = stackalloc byte[16];
                s.Clear();
                BinaryPrimitives.WriteUInt32LittleEndian(s, v);
                BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)vlan);
                BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)qos);
                BinaryPrimitives.WriteUInt16BigEndian(s[12..], (ushort)proto);
                msg.Attr(IFLA_VF_VLAN_INFO, s);
                msg.EndNested(vlans);
                msg.EndNested(info);
                msg.EndNested(list);
                socket.Request(msg, $"set VF {vf} vlan {vlan} qos {qos} proto 802.1ad", on);
            }
        }
        if (change.SpoofCheck is { } spoof) Set(pfIndex, IFLA_VF_SPOOFCHK, Pair(v, spoof ? 1u : 0u), $"set VF {vf} spoofchk {(spoof ? "on" : "off")}", on);
        if (change.Trust is { } trust) Set(pfIndex, IFLA_VF_TRUST, Pair(v, trust ? 1u : 0u), $"set VF {vf} trust {(trust ? "on" : "off")}", on);
        if (change.LinkState is { } state) Set(pfIndex, IFLA_VF_LINK_STATE, Pair(v, (uint)state), $"set VF {vf} link state {state}", on);
        if (change.Rate is var (min, max))
        {
            Span<byte> s = stackalloc byte[12];
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
            BinaryPrimitives.WriteUInt32LittleEndian(s[4..], min);
            BinaryPrimitives.WriteUInt32LittleEndian(s[8..], max);
            Set(pfIndex, IFLA_VF_RATE, s, $"set VF {vf} rate min {min} max {max}", on);
        }
    }

    static byte[] Pair(uint vf, uint value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(b, vf);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), value);
        return b;
    }

    void Set(int pfIndex, ushort type, ReadOnlySpan<byte> value, string operation, string on)
    {
        var msg = new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: pfIndex);
        int list = msg.BeginNested(Nl.IFLA_VFINFO_LIST);
        int info = msg.BeginNested(IFLA_VF_INFO);
        msg.Attr(type, value);
        msg.EndNested(info);
        msg.EndNested(list);
        socket.Request(msg, operation, on);
    }
}

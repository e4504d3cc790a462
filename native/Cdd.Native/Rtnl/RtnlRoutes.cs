using System.Net.Sockets;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

public sealed class RtnlRoutes(NetlinkSocket socket) : IRoutes
{
    /// <summary>
    /// Adds beside existing routes to the same destination (no NLM_F_EXCL), so a pod's second
    /// attachment can carry its own default route as the reference plugins allow; an identical
    /// route is still refused with EEXIST.
    /// </summary>
    public void Add(Route route, string? nameForErrors = null) =>
        socket.Request(Build(Nl.RTM_NEWROUTE, Nl.NLM_F_CREATE, route), $"add route {Describe(route)}", nameForErrors);

    public void Delete(Route route, string? nameForErrors = null) =>
        socket.Request(Build(Nl.RTM_DELROUTE, 0, route), $"delete route {Describe(route)}", nameForErrors);

    static MessageWriter Build(ushort type, ushort flags, Route r)
    {
        bool v4 = r.Dst.Family == AddressFamily.InterNetwork;
        byte scope = r.Scope ?? (r.Gateway is null ? Nl.RT_SCOPE_LINK : Nl.RT_SCOPE_UNIVERSE);
        byte table = r.Table is > 0 and < 256 ? (byte)r.Table : Nl.RT_TABLE_MAIN;
        var msg = new MessageWriter(type, flags)
            .RtMsg(v4 ? Nl.AF_INET : Nl.AF_INET6, (byte)r.Dst.PrefixLength, table, r.Protocol, scope, Nl.RTN_UNICAST);
        if (r.Dst.PrefixLength > 0) msg.Address(Nl.RTA_DST, r.Dst.Network().Address);
        if (r.Gateway is { } gw) msg.Address(Nl.RTA_GATEWAY, gw);
        if (r.OutIndex > 0) msg.U32(Nl.RTA_OIF, (uint)r.OutIndex);
        if (r.PreferredSource is { } src) msg.Address(Nl.RTA_PREFSRC, src);
        if (r.Priority is { } prio) msg.U32(Nl.RTA_PRIORITY, (uint)prio);
        if (r.Table >= 256) msg.U32(Nl.RTA_TABLE, (uint)r.Table);
        if (r.Mtu is not null || r.AdvMss is not null)
        {
            int metrics = msg.BeginNested(Nl.RTA_METRICS);
            if (r.Mtu is { } mtu) msg.U32(Nl.RTAX_MTU, (uint)mtu);
            if (r.AdvMss is { } mss) msg.U32(Nl.RTAX_ADVMSS, (uint)mss);
            msg.EndNested(metrics);
        }
        return msg;
    }

    public List<Route> List(AddressFamily family = AddressFamily.Unspecified)
    {
        byte af = family switch { AddressFamily.InterNetwork => Nl.AF_INET, AddressFamily.InterNetworkV6 => Nl.AF_INET6, _ => Nl.AF_UNSPEC };
        var result = new List<Route>();
        foreach (var m in socket.Dump(new MessageWriter(Nl.RTM_GETROUTE, 0).RtMsg(af, 0, 0, 0, 0, 0), "list routes"))
        {
            if (m.Type != Nl.RTM_NEWROUTE) continue;
            var body = m.Body.AsSpan();
            byte rtFamily = body[0], dstLen = body[1], rtTable = body[4], protocol = body[5], scope = body[6], rtType = body[7];
            if (rtType != Nl.RTN_UNICAST) continue;
            int table = rtTable;
            System.Net.IPAddress? dst = null, gw = null, src = null;
            int oif = 0;
            int? prio = null, mtu = null, mss = null;
            var r = new AttributeReader(body[Nl.RtMsgSize..]);
            while (r.Next())
            {
                switch (r.Type)
                {
                    case Nl.RTA_DST: dst = AttributeReader.ReadAddress(r.Value); break;
                    case Nl.RTA_GATEWAY: gw = AttributeReader.ReadAddress(r.Value); break;
                    case Nl.RTA_PREFSRC: src = AttributeReader.ReadAddress(r.Value); break;
                    case Nl.RTA_OIF: oif = (int)AttributeReader.ReadU32(r.Value); break;
                    case Nl.RTA_PRIORITY: prio = (int)AttributeReader.ReadU32(r.Value); break;
                    case Nl.RTA_TABLE: table = (int)AttributeReader.ReadU32(r.Value); break;
                    case Nl.RTA_METRICS:
                    {
                        var mr = new AttributeReader(r.Value);
                        while (mr.Next())
                        {
                            if (mr.Type == Nl.RTAX_MTU) mtu = (int)AttributeReader.ReadU32(mr.Value);
                            else if (mr.Type == Nl.RTAX_ADVMSS) mss = (int)AttributeReader.ReadU32(mr.Value);
                        }
                        break;
                    }
                }
            }
            if (table != Nl.RT_TABLE_MAIN) continue;
            dst ??= rtFamily == Nl.AF_INET ? System.Net.IPAddress.Any : System.Net.IPAddress.IPv6Any;
            result.Add(new Route
            {
                Dst = new IpPrefix(dst, dstLen), Gateway = gw, OutIndex = oif, PreferredSource = src, Priority = prio,
                Mtu = mtu, AdvMss = mss, Scope = scope, Table = table, Protocol = protocol,
            });
        }
        return result;
    }

    static string Describe(Route r) => r.Gateway is null ? r.Dst.Network().ToString() : $"{r.Dst.Network()} via {r.Gateway}";
}

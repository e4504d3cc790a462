using Cdd.Native.Namespaces;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary><see cref="ILinks"/> over RTM_*LINK messages.</summary>
public sealed class RtnlLinks(NetlinkSocket socket) : ILinks
{
    public Link? Find(string name)
    {
        ValidateName(name);
        var msg = new MessageWriter(Nl.RTM_GETLINK, 0).IfInfo().String(Nl.IFLA_IFNAME, name);
        try
        {
            return LinkParser.Parse(socket.Get(msg, "get link", name).Body);
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Link? Find(int index)
    {
        var msg = new MessageWriter(Nl.RTM_GETLINK, 0).IfInfo(index: index);
        try
        {
            return LinkParser.Parse(socket.Get(msg, "get link", $"#{index}").Body);
        }
        catch (NetlinkException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public Link Get(string name) =>
        Find(name) ?? throw new NetlinkException(Errno.ENODEV, "get link", name, "no such interface");

    public List<Link> List()
    {
        var msg = new MessageWriter(Nl.RTM_GETLINK, 0).IfInfo();
        var links = new List<Link>();
        foreach (var m in socket.Dump(msg, "list links"))
            if (m.Type == Nl.RTM_NEWLINK) links.Add(LinkParser.Parse(m.Body));
        return links;
    }

    public void Create(LinkSpec spec)
    {
        ValidateName(spec.Name);
        var msg = new MessageWriter(Nl.RTM_NEWLINK, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL).IfInfo();
        WriteCommon(msg, spec.Name, spec.Mtu, spec.Mac, spec.Namespace);
        if (spec is MacvlanSpec mv) msg.S32(Nl.IFLA_LINK, mv.ParentIndex);

        int info = msg.BeginNested(Nl.IFLA_LINKINFO);
        msg.String(Nl.IFLA_INFO_KIND, spec.Kind);
        switch (spec)
        {
            case MacvlanSpec m:
            {
                int data = msg.BeginNested(Nl.IFLA_INFO_DATA);
                msg.U32(Nl.IFLA_MACVLAN_MODE, (uint)m.Mode);
                msg.EndNested(data);
                break;
            }
            case VethSpec v:
            {
                ValidateName(v.PeerName);
                int data = msg.BeginNested(Nl.IFLA_INFO_DATA);
                int peer = msg.BeginNested(Nl.VETH_INFO_PEER);
                msg.IfInfo(); // the peer carries its own ifinfomsg
                WriteCommon(msg, v.PeerName, v.Mtu, v.PeerMac, v.PeerNamespace);
                msg.EndNested(peer);
                msg.EndNested(data);
                break;
            }
            case VxlanSpec x:
            {
                int data = msg.BeginNested(Nl.IFLA_INFO_DATA);
                msg.U32(Nl.IFLA_VXLAN_ID, x.Vni);
                if (x.UnderlayIndex > 0) msg.U32(Nl.IFLA_VXLAN_LINK, (uint)x.UnderlayIndex);
                if (x.Local is { } local)
                    msg.Address(local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Nl.IFLA_VXLAN_LOCAL : Nl.IFLA_VXLAN_LOCAL6, local);
                msg.U16BigEndian(Nl.IFLA_VXLAN_PORT, x.Port);
                msg.U8(Nl.IFLA_VXLAN_LEARNING, x.Learning ? (byte)1 : (byte)0);
                msg.EndNested(data);
                break;
            }
        }
        msg.EndNested(info);
        socket.Request(msg, $"create {spec.Kind} link", spec.Name);
    }

    static void WriteCommon(MessageWriter msg, string name, int? mtu, MacAddress? mac, NetNs? ns)
    {
        msg.String(Nl.IFLA_IFNAME, name);
        if (mtu is { } m) msg.U32(Nl.IFLA_MTU, (uint)m);
        if (mac is { } a) msg.Attr(Nl.IFLA_ADDRESS, a.ToBytes());
        if (ns is not null) msg.U32(Nl.IFLA_NET_NS_FD, (uint)ns.Fd);
    }

    public void Delete(int index, string? nameForErrors = null) =>
        socket.Request(new MessageWriter(Nl.RTM_DELLINK, 0).IfInfo(index: index), "delete link", nameForErrors ?? $"#{index}");

    public void SetUp(int index, bool up, string? nameForErrors = null) =>
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index, flags: up ? Nl.IFF_UP : 0, change: Nl.IFF_UP),
            up ? "set link up" : "set link down", nameForErrors ?? $"#{index}");

    public void SetMtu(int index, int mtu, string? nameForErrors = null) =>
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index).U32(Nl.IFLA_MTU, (uint)mtu),
            $"set mtu {mtu}", nameForErrors ?? $"#{index}");

    public void SetMac(int index, MacAddress mac, string? nameForErrors = null) =>
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index).Attr(Nl.IFLA_ADDRESS, mac.ToBytes()),
            $"set mac {mac}", nameForErrors ?? $"#{index}");

    public void SetMaster(int index, int masterIndex, string? nameForErrors = null) =>
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index).S32(Nl.IFLA_MASTER, masterIndex),
            "set master", nameForErrors ?? $"#{index}");

    public void SetAlias(int index, string alias, string? nameForErrors = null)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(alias) > 255)
            throw new NetlinkException(Errno.EINVAL, "set alias", nameForErrors ?? $"#{index}", "an alias is at most 255 bytes");
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index).String(Nl.IFLA_IFALIAS, alias),
            "set alias", nameForErrors ?? $"#{index}");
    }

    public void Rename(int index, string newName, string? nameForErrors = null)
    {
        ValidateName(newName);
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index).String(Nl.IFLA_IFNAME, newName),
            $"rename to {newName}", nameForErrors ?? $"#{index}");
    }

    public void MoveTo(int index, NetNs ns, string? nameForErrors = null) =>
        socket.Request(new MessageWriter(Nl.RTM_NEWLINK, 0).IfInfo(index: index).U32(Nl.IFLA_NET_NS_FD, (uint)ns.Fd),
            $"move to namespace {ns.Path}", nameForErrors ?? $"#{index}");

    /// <summary>Linux interface names: 1..15 bytes, not . or .., no '/', ':' or whitespace.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && System.Text.Encoding.UTF8.GetByteCount(name) <= 15 && name is not ("." or "..")
        && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c));

    static void ValidateName(string name)
    {
        if (!IsValidName(name)) throw new NetlinkException(Errno.EINVAL, "validate interface name", name, "1-15 bytes, no '/', ':' or whitespace");
    }
}

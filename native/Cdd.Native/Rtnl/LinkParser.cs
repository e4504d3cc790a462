using System.Buffers.Binary;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>Decodes an RTM_NEWLINK body (ifinfomsg + attributes).</summary>
public static class LinkParser
{
    public static Link Parse(ReadOnlySpan<byte> body)
    {
        int index = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);
        string name = "";
        MacAddress? mac = null;
        int mtu = 0, master = 0, parent = 0;
        byte operState = 0;
        string? kind = null, alias = null;
        MacvlanMode? macvlanMode = null;
        uint? vni = null;
        ushort? port = null;
        System.Net.IPAddress? local = null;

        var r = new AttributeReader(body[Nl.IfInfoMsgSize..]);
        while (r.Next())
        {
            switch (r.Type)
            {
                case Nl.IFLA_IFNAME: name = AttributeReader.ReadString(r.Value); break;
                case Nl.IFLA_ADDRESS when r.Value.Length == 6: mac = MacAddress.FromBytes(r.Value); break;
                case Nl.IFLA_MTU: mtu = (int)AttributeReader.ReadU32(r.Value); break;
                case Nl.IFLA_MASTER: master = (int)AttributeReader.ReadU32(r.Value); break;
                case Nl.IFLA_LINK: parent = (int)AttributeReader.ReadU32(r.Value); break;
                case Nl.IFLA_OPERSTATE when r.Value.Length > 0: operState = r.Value[0]; break;
                case Nl.IFLA_IFALIAS: alias = AttributeReader.ReadString(r.Value); break;
                case Nl.IFLA_LINKINFO:
                {
                    var info = new AttributeReader(r.Value);
                    ReadOnlySpan<byte> data = default;
                    while (info.Next())
                    {
                        if (info.Type == Nl.IFLA_INFO_KIND) kind = AttributeReader.ReadString(info.Value);
                        else if (info.Type == Nl.IFLA_INFO_DATA) data = info.Value;
                    }
                    var d = new AttributeReader(data);
                    while (d.Next())
                    {
                        if (kind == "macvlan" && d.Type == Nl.IFLA_MACVLAN_MODE) macvlanMode = (MacvlanMode)AttributeReader.ReadU32(d.Value);
                        else if (kind == "vxlan")
                        {
                            if (d.Type == Nl.IFLA_VXLAN_ID) vni = AttributeReader.ReadU32(d.Value);
                            else if (d.Type == Nl.IFLA_VXLAN_PORT && d.Value.Length == 2) port = BinaryPrimitives.ReadUInt16BigEndian(d.Value);
                            else if (d.Type is Nl.IFLA_VXLAN_LOCAL or Nl.IFLA_VXLAN_LOCAL6) local = AttributeReader.ReadAddress(d.Value);
                        }
                    }
                    break;
                }
            }
        }
        return new Link
        {
            Index = index, Name = name, Mac = mac, Mtu = mtu, Flags = flags, MasterIndex = master,
            ParentIndex = parent, Kind = kind, OperState = operState, Alias = string.IsNullOrEmpty(alias) ? null : alias, MacvlanMode = macvlanMode,
            VxlanId = vni, VxlanPort = port, VxlanLocal = local,
        };
    }
}

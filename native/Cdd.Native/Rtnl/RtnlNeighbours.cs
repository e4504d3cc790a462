using System.Buffers.Binary;
using Cdd.Native.Netlink;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

public sealed class RtnlNeighbours(NetlinkSocket socket) : INeighbours
{
    public void AppendFdb(int index, MacAddress mac, System.Net.IPAddress dst, string? nameForErrors = null) =>
        socket.Request(Fdb(Nl.RTM_NEWNEIGH, Nl.NLM_F_CREATE | Nl.NLM_F_APPEND, index, mac, dst),
            $"append fdb {mac} dst {dst}", nameForErrors ?? $"#{index}");

    public void DeleteFdb(int index, MacAddress mac, System.Net.IPAddress dst, string? nameForErrors = null) =>
        socket.Request(Fdb(Nl.RTM_DELNEIGH, 0, index, mac, dst), $"delete fdb {mac} dst {dst}", nameForErrors ?? $"#{index}");

    static MessageWriter Fdb(ushort type, ushort flags, int index, MacAddress mac, System.Net.IPAddress dst) =>
        new MessageWriter(type, flags)
            .NdMsg(Nl.AF_BRIDGE, index, Nl.NUD_NOARP | Nl.NUD_PERMANENT, Nl.NTF_SELF)
            .Attr(Nl.NDA_LLADDR, mac.ToBytes())
            .Address(Nl.NDA_DST, dst);

    public List<FdbEntry> ListFdb(int index)
    {
        var result = new List<FdbEntry>();
        foreach (var m in socket.Dump(new MessageWriter(Nl.RTM_GETNEIGH, 0).NdMsg(Nl.AF_BRIDGE, 0, 0, 0), "list fdb"))
        {
            if (m.Type != Nl.RTM_NEWNEIGH) continue;
            var body = m.Body.AsSpan();
            int idx = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
            if (index != 0 && idx != index) continue;
            MacAddress? mac = null;
            System.Net.IPAddress? dst = null;
            var r = new AttributeReader(body[Nl.NdMsgSize..]);
            while (r.Next())
            {
                if (r.Type == Nl.NDA_LLADDR && r.Value.Length == 6) mac = MacAddress.FromBytes(r.Value);
                else if (r.Type == Nl.NDA_DST) dst = AttributeReader.ReadAddress(r.Value);
            }
            if (mac is { } mm) result.Add(new FdbEntry(idx, mm, dst));
        }
        return result;
    }
}

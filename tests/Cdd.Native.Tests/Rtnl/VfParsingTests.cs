using System.Buffers.Binary;
using Cdd.Native.Rtnl;
using Cdd.Net;

namespace Cdd.Native.Tests.Rtnl;

/// <summary>IFLA_VFINFO_LIST as the kernel lays it out (uapi/linux/if_link.h), decoded field by field.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class VfParsingTests
{
    static byte[] Attr(ushort type, byte[] value)
    {
        int len = 4 + value.Length;
        var b = new byte[(len + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)len);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), type);
        value.CopyTo(b, 4);
        return b;
    }

    static byte[] U32s(params uint[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i * 4), v[i]);
        return b;
    }

    static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    static byte[] VfInfo(uint vf, byte[] mac, uint vlan, uint qos, ushort proto, uint spoof, uint trust, uint state, uint min, uint max)
    {
        var macAttr = new byte[36]; // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; }
        BinaryPrimitives.WriteUInt32LittleEndian(macAttr, vf);
        mac.CopyTo(macAttr, 4);
        var vlanInfo = new byte[16]; // struct ifla_vf_vlan_info { __u32 vf, vlan, qos; __be16 vlan_proto; } (padded)
        BinaryPrimitives.WriteUInt32LittleEndian(vlanInfo, vf);
        BinaryPrimitives.WriteUInt32LittleEndian(vlanInfo.AsSpan(4), vlan);
        BinaryPrimitives.WriteUInt32LittleEndian(vlanInfo.AsSpan(8), qos);
        BinaryPrimitives.WriteUInt16BigEndian(vlanInfo.AsSpan(12), proto);
        return Attr(1 | 0x8000, Cat(
            Attr(1, macAttr),
            Attr(2, U32s(vf, vlan, qos)),
            Attr(12 | 0x8000, Attr(1, vlanInfo)),
            Attr(4, U32s(vf, spoof)),
            Attr(9, U32s(vf, trust)),
            Attr(5, U32s(vf, state)),
            Attr(6, U32s(vf, min, max))));
    }

    static byte[] LinkBody(params byte[][] vfs) => Cat(new byte[16], Attr(3, "pf0\0"u8.ToArray()), Attr(22 | 0x8000, Cat(vfs)));

    [Fact]
    public void Every_vf_setting_is_read_from_its_struct()
    {
        var body = LinkBody(
            VfInfo(0, [2, 0, 0, 0, 0, 1], 0, 0, 0x8100, 0, 0, 0, 0, 0),
            VfInfo(1, [2, 0x11, 0x22, 0x33, 0x44, 0x55], 120, 3, 0x88A8, 1, 1, 2, 10, 100));

        var vfs = RtnlVfs.Parse(body);

        Assert.Equal(2, vfs.Count);
        Assert.Equal(new VfInfo
        {
            Index = 1, Mac = MacAddress.Parse("02:11:22:33:44:55"), Vlan = 120, Qos = 3, VlanProtocol = VlanProtocol.Dot1Ad,
            SpoofCheck = true, Trust = true, LinkState = VfLinkState.Disable, MinTxRate = 10, MaxTxRate = 100,
        }, vfs[1]);
        Assert.Equal(0, vfs[0].Index);
        Assert.False(vfs[0].SpoofCheck);
        Assert.Equal(VlanProtocol.Dot1Q, vfs[0].VlanProtocol);
    }

    [Fact]
    public void A_setting_the_driver_does_not_support_reads_as_null()
    {
        var vfs = RtnlVfs.Parse(LinkBody(VfInfo(0, new byte[6], 0, 0, 0x8100, uint.MaxValue, uint.MaxValue, 0, 0, 0)));
        Assert.Null(vfs[0].SpoofCheck);
        Assert.Null(vfs[0].Trust);
    }

    [Fact]
    public void A_link_without_a_vf_list_has_no_vfs() =>
        Assert.Empty(RtnlVfs.Parse(Cat(new byte[16], Attr(3, "veth0\0"u8.ToArray()))));

    [Fact]
    public void Restoring_puts_back_only_what_the_change_touched()
    {
        var saved = new VfInfo { Index = 2, Mac = MacAddress.Parse("02:aa:00:00:00:01"), Vlan = 7, SpoofCheck = true, Trust = false, MaxTxRate = 50 };
        var made = new VfChange { Vlan = (120, 3, VlanProtocol.Dot1Ad), Trust = true };

        var back = VfChange.Restoring(saved, made);

        Assert.Equal((7, 0, VlanProtocol.Dot1Q), back.Vlan);
        Assert.False(back.Trust);
        Assert.Null(back.Mac);
        Assert.Null(back.SpoofCheck);
        Assert.Null(back.Rate);
    }
}

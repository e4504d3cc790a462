using Cdd.Native.Netlink;

namespace Cdd.Native.Tests.Netlink;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class MessageWriterTests
{
    [Fact]
    public void Header_carries_length_type_flags_and_sequence()
    {
        var bytes = new MessageWriter(Nl.RTM_GETLINK, Nl.NLM_F_REQUEST).IfInfo(index: 7).Finish(42).ToArray();
        Assert.Equal(32, bytes.Length);
        Assert.Equal(32u, BitConverter.ToUInt32(bytes, 0));
        Assert.Equal(Nl.RTM_GETLINK, BitConverter.ToUInt16(bytes, 4));
        Assert.Equal(Nl.NLM_F_REQUEST, BitConverter.ToUInt16(bytes, 6));
        Assert.Equal(42u, BitConverter.ToUInt32(bytes, 8));
        Assert.Equal(7, BitConverter.ToInt32(bytes, 16 + 4));
    }

    [Fact]
    public void String_attribute_is_nul_terminated_and_padded_to_four_bytes()
    {
        var bytes = new MessageWriter(Nl.RTM_NEWLINK, 0).String(Nl.IFLA_IFNAME, "eth0").Finish(1).ToArray();
        // rtattr len = 4 + "eth0\0" = 9, padded to 12
        Assert.Equal(16 + 12, bytes.Length);
        Assert.Equal(9, BitConverter.ToUInt16(bytes, 16));
        Assert.Equal(Nl.IFLA_IFNAME, BitConverter.ToUInt16(bytes, 18));
        Assert.Equal("eth0\0"u8.ToArray(), bytes[20..25]);
        Assert.Equal(new byte[3], bytes[25..28]);
    }

    [Fact]
    public void Nested_attribute_length_covers_its_children()
    {
        var w = new MessageWriter(Nl.RTM_NEWLINK, 0);
        int at = w.BeginNested(Nl.IFLA_LINKINFO);
        w.String(Nl.IFLA_INFO_KIND, "veth");
        w.EndNested(at);
        var bytes = w.Finish(1).ToArray();
        Assert.Equal(4 + 12, BitConverter.ToUInt16(bytes, 16));

        var r = new AttributeReader(bytes.AsSpan(16));
        Assert.True(r.Next());
        Assert.Equal(Nl.IFLA_LINKINFO, r.Type);
        var inner = new AttributeReader(r.Value);
        Assert.True(inner.Next());
        Assert.Equal("veth", AttributeReader.ReadString(inner.Value));
        Assert.False(inner.Next());
    }

    [Fact]
    public void Vxlan_port_is_written_in_network_byte_order()
    {
        var bytes = new MessageWriter(Nl.RTM_NEWLINK, 0).U16BigEndian(Nl.IFLA_VXLAN_PORT, 4789).Finish(1).ToArray();
        Assert.Equal(new byte[] { 0x12, 0xB5 }, bytes[20..22]);
    }

    [Fact]
    public void Reader_stops_at_a_truncated_attribute_instead_of_reading_past_the_buffer()
    {
        byte[] bad = [50, 0, 3, 0, (byte)'x', 0, 0, 0];
        var r = new AttributeReader(bad);
        Assert.False(r.Next());
    }

    [Fact]
    public void Reader_masks_nested_and_byteorder_flags_off_the_type()
    {
        byte[] attr = [8, 0, 0x12, 0x80, 1, 0, 0, 0];
        var r = new AttributeReader(attr);
        Assert.True(r.Next());
        Assert.Equal((ushort)0x12, r.Type);
    }
}

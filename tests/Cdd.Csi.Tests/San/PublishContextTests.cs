using Cdd.Csi.Errors;
using Cdd.Csi.San;
using Cdd.Testing;

namespace Cdd.Csi.Tests.San;

[Tier(Tier.Unit)]
public class PublishContextTests
{
    static Dictionary<string, string> Good() => new()
    {
        ["transport"] = "iscsi",
        ["targetIqn"] = "iqn.2026-12.io.cdd:storage",
        ["portals"] = "10.0.2.15:3260,10.0.3.15:3260",
        ["lun"] = "3",
        ["wwid"] = "36001405" + new string('a', 25),
        ["serial"] = new string('a', 32),
    };

    [Fact]
    public void A_good_context_round_trips()
    {
        var c = PublishContext.Parse(Good());
        Assert.Equal(Good(), c.ToMap());
    }

    [Theory]
    [InlineData("transport", "nvme")]
    [InlineData("targetIqn", "iqn.2026-12.io.cdd:storage;reboot")]
    [InlineData("targetIqn", "")]
    [InlineData("portals", "10.0.2.15")]
    [InlineData("portals", "10.0.2.15:3260,10.0.2.15:3260")]
    [InlineData("portals", "-o update:3260")]
    [InlineData("lun", "-1")]
    [InlineData("lun", "16384")]
    [InlineData("lun", "3 ")]
    [InlineData("wwid", "36001405../../sda")]
    [InlineData("wwid", "")]
    [InlineData("serial", "has space")]
    [InlineData("serial", "")]
    [InlineData("extra", "1")]
    public void Each_bad_field_is_invalid_argument_naming_it(string key, string value)
    {
        var m = Good();
        m[key] = value;
        var e = Assert.Throws<CsiException>(() => PublishContext.Parse(m));
        Assert.Equal(CsiFault.InvalidArgument, e.Fault);
        Assert.Contains($"publish_context {key}", e.Message);
    }

    [Fact]
    public void Fc_needs_no_target_or_portals_and_refuses_them()
    {
        var m = Good();
        m["transport"] = "fc";
        Assert.Throws<CsiException>(() => PublishContext.Parse(m));
        m.Remove("targetIqn");
        m.Remove("portals");
        Assert.Equal("fc", PublishContext.Parse(m).Transport);
    }

    [Fact]
    public void Lio_wwid_is_naa_6_with_its_oui_and_the_first_25_hex_digits_of_the_serial()
    {
        Assert.Equal("36001405" + "0123456789abcdef012345678", Wwid.ForLioSerial("0123456789abcdef0123456789abcdef"));
        Assert.Equal("36001405" + new string('b', 25), Wwid.FromSysfs("naa.6001405" + new string('B', 25) + "\n"));
        Assert.Null(Wwid.FromSysfs("t10.LIO-ORG something"));
    }
}

using System.Text;
using Cdd.Cni.Macvlan;
using Cdd.Cni.Spec;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Tests.Macvlan;

/// <summary>The macvlan fields are the mode's own: read from the config bytes, not from the shared NetConf.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class MacvlanSettingsTests
{
    static MacvlanSettings Parse(string json) => MacvlanSettings.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Master_and_mode_are_read_from_the_config()
    {
        var s = Parse("""{"cniVersion":"1.1.0","name":"n","type":"cdd-cni","mode":"macvlan","master":"eth1","macvlanMode":"vepa"}""");
        Assert.Equal("eth1", s.Master);
        Assert.Equal(MacvlanMode.Vepa, s.Mode);
        Assert.Equal("vepa", s.ModeName);
    }

    [Fact]
    public void Without_fields_the_master_is_left_to_the_default_route_and_the_mode_is_bridge()
    {
        var s = Parse("""{"mode":"macvlan"}""");
        Assert.Null(s.Master);
        Assert.Equal(MacvlanMode.Bridge, s.Mode);
    }

    [Fact]
    public void An_unknown_mode_is_code_7_naming_the_field()
    {
        var ex = Assert.Throws<CniException>(() => Parse("""{"macvlanMode":"hairpin"}"""));
        Assert.Equal(CniErrorCodes.InvalidNetworkConfig, ex.Code);
        Assert.StartsWith("macvlanMode \"hairpin\" is unknown", ex.Msg);
    }

    [Fact]
    public void A_field_of_the_wrong_json_type_is_code_6()
    {
        var ex = Assert.Throws<CniException>(() => Parse("""{"master":42}"""));
        Assert.Equal(CniErrorCodes.DecodingFailure, ex.Code);
        Assert.Contains("\"master\": expected a string", ex.Msg);
        Assert.DoesNotContain("System.", ex.Msg + ex.Details);
    }
}

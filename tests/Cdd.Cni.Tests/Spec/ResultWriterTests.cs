using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Net;

namespace Cdd.Cni.Tests.Spec;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class ResultWriterTests
{
    [Fact]
    public void Result_for_1_1_0_carries_every_1_1_field() =>
        JsonAssert.Equal(SampleResults.V110, ResultWriter.ToJson(SampleResults.Full(), "1.1.0"));

    [Fact]
    public void Result_for_1_0_0_has_no_ip_version_and_no_1_1_only_fields()
    {
        string json = ResultWriter.ToJson(SampleResults.Full(), "1.0.0");
        JsonAssert.Equal(SampleResults.V100, json);
        JsonAssert.NoProperty(json, "ips", "version");
    }

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    public void Result_before_1_0_0_tags_ips_with_their_family_and_has_no_1_1_only_fields(string version) =>
        JsonAssert.Equal(SampleResults.Legacy(version), ResultWriter.ToJson(SampleResults.Full(), version));

    [Fact]
    public void Empty_lists_and_empty_dns_are_omitted()
    {
        var result = new CniResult { Ips = { new CniIpConfig { Address = IpPrefix.Parse("10.1.0.5/24") } }, Dns = new CniDns { Nameservers = [] } };
        JsonAssert.Equal("""{ "cniVersion": "1.1.0", "ips": [ { "address": "10.1.0.5/24" } ] }""", ResultWriter.ToJson(result, "1.1.0"));
    }

    [Fact]
    public void Writing_an_unsupported_version_is_code_1() =>
        Assert.Equal(CniErrorCodes.IncompatibleVersion,
            Assert.Throws<CniException>(() => ResultWriter.ToJson(new CniResult(), "0.2.0")).Code);
}

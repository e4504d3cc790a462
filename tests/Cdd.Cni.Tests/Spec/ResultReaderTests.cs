using System.Text;
using System.Text.Json;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests.Spec;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class ResultReaderTests
{
    private static CniResult Read(string json) => ResultReader.Read(Encoding.UTF8.GetBytes(json), "prevResult");

    private static CniException Fails(string json, int code = CniErrorCodes.DecodingFailure)
    {
        var ex = Assert.Throws<CniException>(() => Read(json));
        Assert.Equal(code, ex.Code);
        Assert.StartsWith("prevResult: ", ex.Msg);
        return ex;
    }

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public void Result_of_each_version_reads_back_and_prints_again_unchanged(string version)
    {
        var result = Read(SampleResults.For(version));
        Assert.Equal(2, result.Interfaces.Count);
        Assert.Equal("eth0", result.Interfaces[1].Name);
        Assert.Equal("/var/run/netns/pod1", result.Interfaces[1].Sandbox);
        Assert.Equal("10.1.0.5/24", result.Ips[0].Address.ToString());
        Assert.Equal("10.1.0.1", result.Ips[0].Gateway!.ToString());
        Assert.Equal(1, result.Ips[1].Interface);
        Assert.Equal("fd00:1::5/64", result.Ips[1].Address.ToString());
        Assert.Equal("0.0.0.0/0", result.Routes[0].Dst.ToString());
        Assert.Equal(["10.96.0.10"], result.Dns!.Nameservers!);
        JsonAssert.Equal(SampleResults.For(version), ResultWriter.ToJson(result, version));
    }

    [Fact]
    public void Result_of_1_1_0_keeps_route_and_interface_extras()
    {
        var result = Read(SampleResults.V110);
        Assert.Equal(9000, result.Interfaces[1].Mtu);
        Assert.Equal("0000:3b:02.1", result.Interfaces[1].PciId);
        Assert.Equal("/run/vhost.sock", result.Interfaces[1].SocketPath);
        var r = result.Routes[0];
        Assert.Equal((1400, 1360, 100, 5001, 0), (r.Mtu, r.AdvMss, r.Priority, r.Table, r.Scope));
    }

    [Fact]
    public void Old_result_converts_up_to_1_1_0() =>
        JsonAssert.Equal(SampleResults.V100.Replace("\"1.0.0\"", "\"1.1.0\""), ResultWriter.ToJson(Read(SampleResults.Legacy("0.4.0")), "1.1.0"));

    [Fact]
    public void Ipam_style_result_without_interfaces_reads() =>
        Assert.Equal("10.1.0.7/24", Read("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.7/24","gateway":"10.1.0.1"}]}""").Ips[0].Address.ToString());

    [Fact]
    public void Result_from_a_json_element_reads_too()
    {
        using var doc = JsonDocument.Parse(SampleResults.V110);
        Assert.Equal(2, ResultReader.Read(doc.RootElement, "prevResult").Ips.Count);
    }

    [Fact]
    public void Malformed_result_is_code_6_with_the_prefix_and_position() =>
        Assert.Contains("line 1", Fails("""{"cniVersion":"1.0.0","ips":[""").Msg);

    [Fact]
    public void Result_without_version_is_code_6() => Fails("""{"ips":[]}""");

    [Fact]
    public void Result_of_an_unsupported_version_is_code_1() =>
        Fails("""{"cniVersion":"0.2.0","ip4":{"ip":"10.1.0.5/24"}}""", CniErrorCodes.IncompatibleVersion);

    [Theory]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5"}]}""", "ips[0].address")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{}]}""", "ips[0].address is missing")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/24","gateway":"gw"}]}""", "ips[0].gateway")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.1.0.5/24","interface":0}]}""", "ips[0].interface 0")]
    [InlineData("""{"cniVersion":"1.0.0","routes":[{"dst":"nowhere"}]}""", "routes[0].dst")]
    [InlineData("""{"cniVersion":"1.0.0","routes":[{"dst":"0.0.0.0/0","gw":"1.2"}]}""", "routes[0].gw")]
    [InlineData("""{"cniVersion":"1.0.0","interfaces":[{"mac":"aa"}]}""", "interfaces[0].name")]
    public void Result_with_a_bad_field_is_code_6_naming_it(string json, string field) =>
        Assert.Contains(field, Fails(json).Msg);
}

using System.Text;
using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests.Spec;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class VersionInfoTests
{
    private const string Supported = """["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]""";

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("0.4.0")]
    public void Version_output_echoes_the_callers_supported_version(string version) =>
        JsonAssert.Equal($$"""{"cniVersion":"{{version}}","supportedVersions":{{Supported}}}""", VersionInfo.ToJsonUtf8(version));

    [Theory]
    [InlineData(null)]
    [InlineData("9.9.9")]
    public void Version_output_says_1_1_0_when_the_caller_gave_none_we_speak(string? version) =>
        JsonAssert.Equal($$"""{"cniVersion":"1.1.0","supportedVersions":{{Supported}}}""", VersionInfo.ToJsonUtf8(version));

    [Theory]
    [InlineData("""{"cniVersion":"0.4.0"}""", "0.4.0")]
    [InlineData("""{"a":{"cniVersion":"x"},"b":[1,{"c":2}],"cniVersion":"1.0.0"}""", "1.0.0")]
    [InlineData("""{"name":"n"}""", null)]
    [InlineData("not json", null)]
    [InlineData("", null)]
    [InlineData("""{"cniVersion":1}""", null)]
    public void Probe_finds_only_the_top_level_version_and_never_throws(string json, string? expected) =>
        Assert.Equal(expected, VersionInfo.Probe(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("1.0.0", "0.4.0", 1)]
    [InlineData("0.4.0", "0.4.0", 0)]
    [InlineData("0.3.1", "0.10.0", -1)]
    [InlineData("junk", "0.1.0", -1)]
    public void Versions_order_numerically(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(CniVersions.Compare(a, b)));

    [Fact]
    public void Highest_common_version_ignores_ones_we_do_not_speak()
    {
        Assert.Equal("1.0.0", CniVersions.HighestCommon(["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"]));
        Assert.Null(CniVersions.HighestCommon(["0.1.0", "0.2.0"]));
    }
}

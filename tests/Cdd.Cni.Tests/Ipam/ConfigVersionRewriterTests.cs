using System.Text;
using Cdd.Cni.Ipam;

namespace Cdd.Cni.Tests.Ipam;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class ConfigVersionRewriterTests
{
    private static string Rewrite(string config, string version) =>
        Encoding.UTF8.GetString(ConfigVersionRewriter.Rewrite(Encoding.UTF8.GetBytes(config), version));

    [Fact]
    public void Only_the_top_level_version_changes_and_every_other_byte_stays()
    {
        const string config = "{\n  \"name\": \"n\",\n  \"ipam\": {\"cniVersion\": \"1.1.0\", \"x\": [1, {\"cniVersion\":\"1.1.0\"}]},\n  \"cniVersion\" : \"1.1.0\"\n}\n";
        Assert.Equal(config.Replace("\"cniVersion\" : \"1.1.0\"", "\"cniVersion\" : \"1.0.0\""), Rewrite(config, "1.0.0"));
    }

    [Fact]
    public void Escaped_version_text_is_replaced_whole() =>
        Assert.Equal("""{"cniVersion":"0.4.0","a":1}""", Rewrite("""{"cniVersion":"\u0031.1.0","a":1}""", "0.4.0"));

    [Fact]
    public void Config_without_a_version_is_returned_unchanged() =>
        Assert.Equal("""{"a":{"cniVersion":"1.1.0"}}""", Rewrite("""{"a":{"cniVersion":"1.1.0"}}""", "1.0.0"));
}

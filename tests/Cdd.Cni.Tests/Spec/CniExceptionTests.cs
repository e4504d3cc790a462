using Cdd.Cni.Spec;

namespace Cdd.Cni.Tests.Spec;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class CniExceptionTests
{
    [Fact]
    public void Error_json_carries_version_code_msg_and_details() =>
        JsonAssert.Equal("""{"cniVersion":"1.0.0","code":7,"msg":"mtu 1 is out of range","details":"see config"}""",
            new CniException(7, "mtu 1 is out of range", "see config").ToJsonUtf8("1.0.0"));

    [Fact]
    public void Error_json_omits_details_when_there_are_none() =>
        JsonAssert.Equal("""{"cniVersion":"1.1.0","code":4,"msg":"CNI_IFNAME is required for ADD"}""",
            new CniException(4, "CNI_IFNAME is required for ADD").ToJsonUtf8("1.1.0"));

    [Fact]
    public void Error_codes_are_the_specs()
    {
        Assert.Equal(
            [1, 2, 3, 4, 5, 6, 7, 11, 50, 51, 100],
            [CniErrorCodes.IncompatibleVersion, CniErrorCodes.UnsupportedField, CniErrorCodes.UnknownContainer,
             CniErrorCodes.InvalidEnvironmentVariables, CniErrorCodes.IoFailure, CniErrorCodes.DecodingFailure,
             CniErrorCodes.InvalidNetworkConfig, CniErrorCodes.TryAgainLater, CniErrorCodes.PluginNotAvailable,
             CniErrorCodes.PluginNotAvailableLimitedConnectivity, CniErrorCodes.Internal]);
    }
}

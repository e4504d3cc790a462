namespace Cdd.Net.Tests;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class MacAddressTests
{
    [Fact]
    public void Parses_and_formats_round_trip() =>
        Assert.Equal("02:42:ac:11:00:02", MacAddress.Parse("02:42:AC:11:00:02").ToString());

    [Theory]
    [InlineData("02:42:ac:11:00")]
    [InlineData("02:42:ac:11:00:zz")]
    [InlineData("0242ac110002")]
    public void Rejects_malformed_addresses(string s) => Assert.False(MacAddress.TryParse(s, out _));

    [Fact]
    public void Random_address_is_locally_administered_unicast()
    {
        for (int i = 0; i < 100; i++)
        {
            var b = MacAddress.NewRandom().ToBytes();
            Assert.Equal(0x02, b[0] & 0x03);
        }
    }

    [Fact]
    public void Ip_prefix_network_clears_host_bits() =>
        Assert.Equal("10.1.0.0/22", IpPrefix.Parse("10.1.3.7/22").Network().ToString());
}

using Cdd.Operator.Placement;

namespace Cdd.Operator.Tests.Placement;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class QuantityTests
{
    [Theory]
    [InlineData("4", 4000)]
    [InlineData("2.5", 2500)]
    [InlineData("500m", 500)]
    [InlineData("0", 0)]
    public void Cpu_quantities_become_millicores(string text, long millis) => Assert.Equal(millis, Quantity.CpuMillis(text));

    [Theory]
    [InlineData("16Gi", 16L << 30)]
    [InlineData("2Ti", 2L << 40)]
    [InlineData("500G", 500_000_000_000)]
    [InlineData("1.5Gi", 3L << 29)]
    [InlineData("1024", 1024)]
    public void Byte_quantities_become_bytes(string text, long bytes) => Assert.Equal(bytes, Quantity.Bytes(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-4")]
    [InlineData("4 cores")]
    [InlineData("0.0001")]
    [InlineData("1e3")]
    public void Text_that_is_not_a_whole_number_of_millicores_is_refused(string text) => Assert.Null(Quantity.CpuMillis(text));

    [Theory]
    [InlineData("100m")]
    [InlineData("0.5")]
    [InlineData("16GB")]
    [InlineData("9Ei")]
    public void Text_that_is_not_a_whole_number_of_bytes_is_refused(string text) => Assert.Null(Quantity.Bytes(text));
}

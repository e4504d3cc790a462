using Cdd.Cni.Plumbing;

namespace Cdd.Cni.Tests;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class StableNameTests
{
    [Fact]
    public void Same_key_gives_the_same_name_and_fits_an_interface_name()
    {
        var a = StableName.Of("cddv", "3f2a9c1b0d/eth0");
        Assert.Equal(a, StableName.Of("cddv", "3f2a9c1b0d/eth0"));
        Assert.Matches("^cddv[0-9a-f]{8}$", a);
        Assert.True(a.Length <= 15);
    }

    [Fact]
    public void Different_attachments_get_different_names()
    {
        var names = Enumerable.Range(0, 5000).Select(i => StableName.Of("cddv", $"container-{i}/eth0")).ToHashSet();
        Assert.Equal(5000, names.Count);
        Assert.NotEqual(StableName.Of("p", "c1/eth0"), StableName.Of("p", "c1/net1"));
    }
}

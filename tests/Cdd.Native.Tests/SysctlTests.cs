using Cdd.Testing;

namespace Cdd.Native.Tests;

[Tier(Tier.Unit)]
public class SysctlTests
{
    [Fact]
    public void Writes_under_an_injected_root()
    {
        var root = Directory.CreateTempSubdirectory("cdd-sysctl");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "net/ipv4/conf/eth0"));
            File.WriteAllText(Path.Combine(root.FullName, "net/ipv4/conf/eth0/arp_notify"), "0\n");
            new Sysctl(root.FullName).SetInterface("ipv4", "eth0", "arp_notify", "1");
            Assert.Equal("1", new Sysctl(root.FullName).Read("net/ipv4/conf/eth0/arp_notify"));
        }
        finally
        {
            root.Delete(true);
        }
    }

    [Fact]
    public void Refuses_paths_that_leave_the_root() =>
        Assert.Throws<ArgumentException>(() => new Sysctl("/tmp/x").Write("net/../../etc/passwd", "1"));
}

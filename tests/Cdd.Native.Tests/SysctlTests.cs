using Cdd.Testing;

namespace Cdd.Native.Tests;

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

    [Fact]
    public void Setting_inside_a_namespace_changes_that_namespace_only()
    {
        using var t = new TestNetns();
        using var ns = NetNs.Open(t.Path);
        ns.Run(() => new Sysctl().SetInterface("ipv4", "lo", "arp_notify", "1"));
        Assert.Equal("1", Exec.Run("ip", "netns", "exec", t.Name, "cat", "/proc/sys/net/ipv4/conf/lo/arp_notify").Stdout.Trim());
        Assert.Equal("0", File.ReadAllText("/proc/sys/net/ipv4/conf/lo/arp_notify").Trim());
    }
}

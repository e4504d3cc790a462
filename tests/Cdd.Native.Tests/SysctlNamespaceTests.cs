using Cdd.Native.Namespaces;
using Cdd.Testing;

namespace Cdd.Native.Tests;

[Tier(Tier.Root)]
public class SysctlNamespaceTests
{
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

using Cdd.Native.Namespaces;
using Cdd.Testing;

namespace Cdd.Native.Tests.Namespaces;

[Tier(Tier.Root)]
public class NetNsTests
{
    [Fact]
    public void Run_executes_inside_the_namespace_and_leaves_the_caller_where_it_was()
    {
        using var t = new TestNetns();
        using var ns = NetNs.Open(t.Path);
        using var before = NetNs.Current();
        bool inside = ns.Run(() =>
        {
            using var here = NetNs.Current();
            return here.IsSameAs(ns);
        });
        Assert.True(inside);
        using var after = NetNs.Current();
        Assert.True(after.IsSameAs(before));
        Assert.False(after.IsSameAs(ns));
    }

    [Fact]
    public void Socket_opened_inside_stays_bound_to_the_namespace()
    {
        using var t = new TestNetns();
        using var ns = NetNs.Open(t.Path);
        using var rtnl = Cdd.Native.Rtnl.Rtnetlink.OpenIn(ns);
        var names = rtnl.Links.List().Select(l => l.Name).ToList();
        Assert.Equal(["lo"], names);
    }

    [Fact]
    public void Exceptions_inside_are_rethrown_to_the_caller()
    {
        using var t = new TestNetns();
        using var ns = NetNs.Open(t.Path);
        var e = Assert.Throws<InvalidOperationException>(() => ns.Run<int>(() => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void Opening_a_missing_namespace_is_not_found()
    {
        var e = Assert.Throws<ErrnoException>(() => NetNs.Open("/var/run/netns/does-not-exist-cdd"));
        Assert.True(e.IsNotFound);
        Assert.Contains("/var/run/netns/does-not-exist-cdd", e.Message);
    }

    [Fact]
    public void A_namespace_made_by_iproute2_is_not_our_own()
    {
        using var t = new TestNetns();
        using var ns = NetNs.Open(t.Path);
        Assert.False(ns.IsProcessNamespace());
    }

    [Fact]
    public void File_lock_excludes_a_second_holder_until_released()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cdd-lock-{Guid.NewGuid():N}");
        try
        {
            using (FileLock.Acquire(path, TimeSpan.FromSeconds(1)))
            {
                // flock locks belong to the open file description, so a second open in-process contends too.
                var e = Assert.Throws<ErrnoException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(50)));
                Assert.Equal(Errno.ETIMEDOUT, e.Errno);
            }
            using (FileLock.Acquire(path, TimeSpan.FromSeconds(1))) { }
        }
        finally
        {
            File.Delete(path);
        }
    }
}

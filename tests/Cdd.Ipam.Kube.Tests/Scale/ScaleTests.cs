using Cdd.Testing.Ipam;
using Xunit.Abstractions;

namespace Cdd.Ipam.Kube.Tests.Scale;

/// <summary>Ten node agents, a thousand pods at once, one pool exactly as large as the demand.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ScaleTests(ITestOutputHelper output)
{
    void Report(IpamScaleRun.Result r) => output.WriteLine(
        $"{r.Pods.Count} pods in {r.Elapsed.TotalSeconds:0.00} s; conflicts {r.Pods.Sum(p => p.Conflicts)} (409 {r.Taken}, sibling {r.SiblingClaims}), retries {r.Retries}, " +
        $"lost replies read back {r.LostReplies}, failed ADDs {r.FailedAdds}, lost DELs {r.LostDels}, collected by GC {r.Collected}");

    static void AssertEveryAddressHeldOnceByItsLivePod(IpamScaleRun.Result r, int demand)
    {
        Assert.Equal(demand, r.Pods.Count);
        Assert.Equal(demand, r.Pods.Select(p => p.Address).Distinct().Count());
        // Pool size = demand: every address of the pool is held, each by exactly one live pod.
        Assert.Equal(r.PoolAddresses.ToHashSet(), r.Pods.Select(p => p.Address).ToHashSet());
        var byAddress = r.Stored.ToDictionary(s => s.Address);
        var missing = r.Pods.Where(p => !byAddress.ContainsKey(p.Address)).Select(p => $"{p.ContainerId}@{p.Address}");
        Assert.True(demand == r.Stored.Count, $"{r.Stored.Count} reservations stored; no object for {string.Join(", ", missing)}");
        foreach (var p in r.Pods)
        {
            var s = byAddress[p.Address];
            Assert.Equal(p.ContainerId, s.Owner!.ContainerId);
            Assert.Equal(p.Node, s.Node);
            Assert.Equal(p.Segment, s.Segment);
            Assert.Equal(p.Vlan, s.Vlan);
        }
    }

    [Fact]
    public async Task Ten_agents_fill_a_pool_the_size_of_the_demand_with_every_address_held_once()
    {
        var r = await IpamScaleRun.RunAsync(new IpamScaleRun.Options(), CancellationToken.None);
        Report(r);
        AssertEveryAddressHeldOnceByItsLivePod(r, 1000);
        Assert.Equal(0, r.FailedAdds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task With_a_fifth_of_requests_failing_and_watches_dropping_no_address_is_duplicated_and_gc_leaves_no_leak(int seed)
    {
        var r = await IpamScaleRun.RunAsync(new IpamScaleRun.Options { Faults = true, Seed = seed }, CancellationToken.None);
        Report(r);
        AssertEveryAddressHeldOnceByItsLivePod(r, 1000);
        // The faults did bite: lost answers were read back, and some ADDs failed and left leaks for GC.
        Assert.True(r.LostReplies > 0, "no lost reply was injected");
        Assert.True(r.Retries > 0, "no request was retried");
        Assert.True(r.Collected > 0, "GC found no leak to collect");
    }
}

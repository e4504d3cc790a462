using Cdd.Cni.Spec;
using Cdd.Testing;

namespace Cdd.Ipamd.Tests;

/// <summary>A node starting 110 pods at once against an API server that takes 200 ms for every call.</summary>
[Tier(Tier.Unit)]
public sealed class SlowApiServerTests : IAsyncLifetime
{
    const int Pods = 110;
    readonly KubeAgentLab _lab = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    /// <summary>Every ADD at once, each with the runtime's 10 s timeout; the answers, or the CNI errors.</summary>
    async Task<List<(string Pod, Cdd.Ipam.Agent.Protocol.Wire.AgentResponse? Ok, CniException? Error)>> StartAll(string[] uids)
    {
        // One thread per pod, as each is its own plugin process: blocking calls must not starve the agent's thread pool.
        var calls = Enumerable.Range(0, Pods).Select(i => Task.Factory.StartNew(() =>
        {
            try
            {
                return ($"web-{i}", _lab.Call("node-a", KubeAgentLab.Add($"c{i}", $"web-{i}", uids[i]), TimeSpan.FromSeconds(10)), (CniException?)null);
            }
            catch (CniException e)
            {
                return ($"web-{i}", (Cdd.Ipam.Agent.Protocol.Wire.AgentResponse?)null, e);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        return [.. await Task.WhenAll(calls)];
    }

    static void AssertNoClientTimedOut(IEnumerable<CniException> errors) =>
        // The client's own timeout says "did not answer within"; the agent's refusals carry its own message.
        Assert.All(errors, e => Assert.DoesNotContain("did not answer within", e.Msg));

    [Fact]
    public async Task A_hundred_and_ten_pods_at_once_all_get_distinct_addresses_and_no_client_times_out()
    {
        await _lab.StartAgent("node-a");
        var uids = Enumerable.Range(0, Pods).Select(i => _lab.Pod($"web-{i}")).ToArray();
        _lab.Api.Faults.Latency = TimeSpan.FromMilliseconds(200);

        var results = await StartAll(uids);

        AssertNoClientTimedOut(results.Where(r => r.Error is not null).Select(r => r.Error!));
        Assert.All(results, r => Assert.True(r.Ok is not null, $"{r.Pod}: {r.Error?.Code} {r.Error?.Msg}"));
        Assert.Equal(Pods, results.Select(r => r.Ok!.Ips![0].Address).Distinct().Count());
        Assert.Equal(Pods, _lab.Reservations().Count);
    }

    [Fact]
    public async Task With_the_queue_full_the_agent_refuses_with_code_11_at_once_and_nothing_is_claimed_for_the_refused()
    {
        await _lab.StartAgent("node-a", concurrent: 4, queued: 16);
        var uids = Enumerable.Range(0, Pods).Select(i => _lab.Pod($"web-{i}")).ToArray();
        _lab.Api.Faults.Latency = TimeSpan.FromMilliseconds(200);

        var results = await StartAll(uids);

        var refused = results.Where(r => r.Error is not null).ToList();
        AssertNoClientTimedOut(refused.Select(r => r.Error!));
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(CniErrorCodes.TryAgainLater, r.Error!.Code));
        Assert.All(refused, r => Assert.Contains("busy", r.Error!.Msg));
        var served = results.Where(r => r.Ok is not null).ToList();
        Assert.Equal(served.Count, served.Select(r => r.Ok!.Ips![0].Address).Distinct().Count());
        _lab.Api.Faults.Latency = TimeSpan.Zero;
        // Refused requests claimed nothing: the API server holds exactly the answered ones.
        Assert.Equal(served.Count, _lab.Reservations().Count);
    }
}

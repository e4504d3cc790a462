using System.Collections.Concurrent;
using Cdd.Cni.Spec;
using Cdd.Testing;
using Xunit.Abstractions;

namespace Cdd.Ipamd.Tests;

/// <summary>
/// Four node agents against an API server with seeded faults (20% of writes 409, 10% of requests 500, 5 ms on every
/// call, every watch cut after 3 s), two agents killed and restarted during the run, and a runtime on each node that
/// retries as kubelet does (a failed ADD is DEL'd and tried again with a new sandbox; a DEL is repeated until it
/// succeeds): 1,000 ADDs, half DEL'd, re-ADDed, all DEL'd.
/// </summary>
[Tier(Tier.Unit)]
public sealed class FaultRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Pods = 1000, Nodes = 4, PerNode = Pods / Nodes, Workers = 8;
    readonly KubeAgentLab _lab = new(racks: Nodes, prefix: 23);
    readonly ConcurrentDictionary<string, string> _holder = new(); // address -> pod holding it now
    readonly Agent?[] _agents = new Agent?[Nodes];
    int _duplicates, _refused, _tryAgain, _adds, _dels;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    static string NodeOf(int n) => $"node-{(char)('a' + n)}";

    /// <summary>ADD until answered, as the runtime does; the pod's address.</summary>
    string Add(int node, string pod, string uid, ref int attempt)
    {
        while (true)
        {
            string cid = $"{pod}-{attempt++}";
            try
            {
                var r = _lab.Call(NodeOf(node), KubeAgentLab.Add(cid, pod, uid), TimeSpan.FromSeconds(10));
                Interlocked.Increment(ref _adds);
                string address = r.Ips![0].Address!;
                if (!_holder.TryAdd(address, pod)) Interlocked.Increment(ref _duplicates);
                return cid + " " + address;
            }
            catch (CniException e)
            {
                if (e.Code == CniErrorCodes.TryAgainLater) Interlocked.Increment(ref _tryAgain);
                else Interlocked.Increment(ref _refused);
                output.WriteLine($"{NodeOf(node)} ADD {cid}: {e.Code} {e.Msg}");
                Del(node, cid); // the runtime tears the failed sandbox down before it tries again
                Thread.Sleep(20);
            }
        }
    }

    void Del(int node, string cid)
    {
        while (true)
        {
            try
            {
                _lab.Call(NodeOf(node), KubeAgentLab.Del(cid), TimeSpan.FromSeconds(10));
                Interlocked.Increment(ref _dels);
                return;
            }
            catch (CniException)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> for each pod of each node, Workers at a time per node, each on its own thread (a plugin process).</summary>
    static Task ForEachPod(IEnumerable<int> pods, Action<int, int> work) =>
        Task.WhenAll(pods.GroupBy(p => p / PerNode).SelectMany(g =>
        {
            var queue = new ConcurrentQueue<int>(g);
            return Enumerable.Range(0, Workers).Select(_ => Task.Factory.StartNew(() =>
            {
                while (queue.TryDequeue(out int p)) work(g.Key, p);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }));

    async Task Restart(int node, TimeSpan after)
    {
        await Task.Delay(after);
        await _lab.StopAgent(_agents[node]!);
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // the runtime meets a missing socket meanwhile
        _agents[node] = await _lab.StartAgent(NodeOf(node), leakGrace: TimeSpan.Zero, waitReady: false);
    }

    [Fact]
    public async Task No_address_is_given_twice_none_leaks_and_no_pod_is_refused_under_faults_and_agent_restarts()
    {
        var uids = Enumerable.Range(0, Pods).Select(i => _lab.Pod($"web-{i}")).ToArray();
        for (int n = 0; n < Nodes; n++) _agents[n] = await _lab.StartAgent(NodeOf(n), leakGrace: TimeSpan.Zero);
        var faults = _lab.Api.Faults;
        faults.Seed = 15;
        faults.ConflictRate = 0.2;
        faults.InternalErrorRate = 0.1;
        faults.Latency = TimeSpan.FromMilliseconds(5);
        faults.WatchLifetime = TimeSpan.FromSeconds(3);
        var cid = new string[Pods];
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // 1,000 ADDs; node a's agent is killed and restarted while they run.
        var restartA = Restart(0, TimeSpan.FromSeconds(1));
        await ForEachPod(Enumerable.Range(0, Pods), (n, p) =>
        {
            int attempt = 0;
            cid[p] = Add(n, $"web-{p}", uids[p], ref attempt).Split(' ')[0];
        });
        await restartA;
        Assert.Equal(Pods, _holder.Count);

        // Half DEL'd, then ADDed again with new sandboxes; node c's agent is killed and restarted meanwhile.
        var half = Enumerable.Range(0, Pods).Where(p => p % 2 == 0).ToList();
        await ForEachPod(half, (n, p) =>
        {
            foreach (var held in _holder.Where(kv => kv.Value == $"web-{p}").Select(kv => kv.Key).ToList()) _holder.TryRemove(held, out _);
            Del(n, cid[p]);
        });
        var restartC = Restart(2, TimeSpan.FromMilliseconds(500));
        await ForEachPod(half, (n, p) =>
        {
            int attempt = 100;
            cid[p] = Add(n, $"web-{p}", uids[p], ref attempt).Split(' ')[0];
        });
        await restartC;
        Assert.Equal(Pods, _holder.Count);

        // All DEL'd.
        await ForEachPod(Enumerable.Range(0, Pods), (n, p) => Del(n, cid[p]));
        var elapsed = clock.Elapsed;
        faults.ConflictRate = faults.InternalErrorRate = 0;
        faults.WatchLifetime = TimeSpan.Zero;
        int leftByDels = _lab.Reservations().Count;
        // The leak collectors' sweeps (grace zero here) free what no answered ADD stands behind.
        await Eventually.TrueAsync("the leak collectors to free what the DELs left", async () =>
        {
            foreach (var a in _agents) await a!.HousekeepAsync(default);
            return _lab.Reservations().Count == 0;
        }, TimeSpan.FromSeconds(60));

        output.WriteLine($"{Pods} pods on {Nodes} agents in {elapsed.TotalSeconds:0.0} s: {_adds} ADDs answered, {_dels} DELs answered, " +
                         $"{_tryAgain} code-11 answers retried, {_refused} refusals, {_duplicates} duplicates, " +
                         $"{leftByDels} reservations left after the last DEL, 0 after the leak collectors' sweeps; " +
                         $"given back late: {_agents.Sum(a => a!.Metrics.Releases.WithLabels("big", "abandoned").Value)} (restarted agents count from their restart), " +
                         $"API requests {_lab.RequestCount}");
        Assert.Equal(0, _duplicates);
        Assert.Equal(0, _refused);
    }
}

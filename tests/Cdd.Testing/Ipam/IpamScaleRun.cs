using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Config;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Kube.Connection;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Cdd.Testing.Kube;

namespace Cdd.Testing.Ipam;

/// <summary>
/// Many node agents (each its own client, reservation store with watch cache, and IpamService) start pods at once
/// against one fake API server and one pool: racks of two nodes, one segment per rack reached untagged, every other
/// segment through the trunk. A pod whose ADD fails is retried with a new container ID, as kubelet recreates the
/// sandbox; under faults half the DELs for failed ADDs are lost and one pod in twenty dies right after its ADD without
/// a DEL, leaving leaks that only GC can find. Used by the
/// scale tests and by the bench.
/// </summary>
public static class IpamScaleRun
{
    public sealed record Options
    {
        public int Agents { get; init; } = 10;
        public int Demand { get; init; } = 1000;
        /// <summary>Pool size as a multiple of the demand.</summary>
        public int PoolFactor { get; init; } = 1;
        /// <summary>Pods one agent sets up at the same time (kubelet starts pods in parallel).</summary>
        public int Parallel { get; init; } = 4;
        /// <summary>About 20% of requests fail: 409s, 500s, 503s and applied writes answered 500; watches drop; history is compacted once.</summary>
        public bool Faults { get; init; }
        public int Seed { get; init; } = 1;
    }

    public sealed record Pod(string Node, string ContainerId, IPAddress Address, string Segment, int Vlan, TimeSpan Latency, int Conflicts);

    public sealed record Result
    {
        public required TimeSpan Elapsed { get; init; }
        public required IReadOnlyList<Pod> Pods { get; init; }
        public required IReadOnlyList<IPAddress> PoolAddresses { get; init; }
        /// <summary>The reservations in the API server after the final GC.</summary>
        public required IReadOnlyList<Reservation> Stored { get; init; }
        public required long Retries { get; init; }
        /// <summary>Claims answered 409 (another agent had the address).</summary>
        public required long Taken { get; init; }
        /// <summary>Claims not sent: a sibling ADD of the same agent was claiming that address.</summary>
        public required long SiblingClaims { get; init; }
        public required long LostReplies { get; init; }
        public required int FailedAdds { get; init; }
        public required int LostDels { get; init; }
        public required int Collected { get; init; }
    }

    const string Network = "scale-net";

    public static IpPool PoolFor(Options o)
    {
        int racks = Math.Max(1, o.Agents / 2);
        int perRack = o.Demand * o.PoolFactor / racks;
        if (perRack * racks != o.Demand * o.PoolFactor) throw new ArgumentException("the pool size must split evenly over the racks");
        var segments = new List<SegmentJson?>();
        for (int r = 0; r < racks; r++)
        {
            var first = IPAddress.Parse($"10.{100 + r}.0.10");
            var last = IpMath.FromNumber(IpMath.ToNumber(first) + (UInt128)(perRack - 1), AddressFamily.InterNetwork);
            segments.Add(new SegmentJson
            {
                Name = $"rack{r}", Subnet = $"10.{100 + r}.0.0/16", Gateway = $"10.{100 + r}.0.1", Vlan = 100 + r,
                Ranges = [new RangeJson { Start = first.ToString(), End = last.ToString() }],
                NodeSelector = new() { ["rack"] = $"r{r}" },
            });
        }
        return PoolParser.Parse(new PoolJson { Name = "scale", Segments = segments });
    }

    public static async Task<Result> RunAsync(Options o, CancellationToken ct)
    {
        var pool = PoolFor(o);
        var allVlans = pool.Segments.Select(s => s.Vlan).ToHashSet();
        var nodes = Enumerable.Range(0, o.Agents)
            .Select(i => new NodeView($"node-{i}", new Dictionary<string, string> { ["rack"] = $"r{i / 2}" }, allVlans)).ToArray();

        using var dir = new TempDir("cdd-ipam-scale");
        using var api = new FakeKubeApiServer()
            .Serve(CddResources.Group, CddResources.Version, CddResources.ReservationPlural, CddResources.ReservationKind);
        string kubeconfig = api.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig"));
        var clients = nodes.Select(_ => KubeConnection.CreateClient(kubeconfig, TimeSpan.FromSeconds(30))).ToArray();
        var stores = clients.Select((c, i) => new KubeReservationStore(c, new KubeStoreOptions
        {
            PoolOf = name => name == pool.Name ? pool : null,
            SpreadKey = nodes[i].Name,
            // Few tries under faults, so some ADDs fail, some of their DELs are lost, and GC has leaks to find.
            Attempts = o.Faults ? 2 : 8, RetryDelay = TimeSpan.FromMilliseconds(2), WatchRetryDelay = TimeSpan.FromMilliseconds(20),
        })).ToArray();
        try
        {
            foreach (var s in stores) await s.WarmAsync(pool.Name, ct);
            var services = stores.Select(s => new IpamService(s, maxRounds: 64)).ToArray();
            var state = new RunState(nodes.Length);
            if (o.Faults)
            {
                api.Faults.Seed = o.Seed;
                api.Faults.ConflictRate = 0.08;
                api.Faults.InternalErrorRate = 0.04;
                api.Faults.UnavailableRate = 0.03;
                api.Faults.LostReplyRate = 0.05;
                api.Faults.WatchDropRate = 0.02;
            }

            var clock = Stopwatch.StartNew();
            int perAgent = o.Demand / o.Agents;
            var agents = Enumerable.Range(0, o.Agents).Select(a => Task.Run(async () =>
            {
                var rng = new Random(o.Seed * 1000 + a);
                int next = 0;
                var workers = Enumerable.Range(0, o.Parallel).Select(_ => Task.Run(async () =>
                {
                    while (Interlocked.Increment(ref next) is var i && i <= perAgent)
                    {
                        var pod = await StartPod(services, a, nodes, pool, $"n{a}-p{i}", state, rng, o, api, ct);
                        lock (state) state.Pods.Add(pod);
                    }
                }, ct)).ToArray();
                await Task.WhenAll(workers);
            }, ct)).ToArray();
            await Task.WhenAll(agents);
            var elapsed = clock.Elapsed;

            // The runtime's CNI GC on every node: whatever is not a live attachment there goes.
            int collected = await CollectEverywhere(services, nodes, pool, state, ct);
            api.Faults.ConflictRate = api.Faults.InternalErrorRate = api.Faults.UnavailableRate = api.Faults.LostReplyRate = api.Faults.WatchDropRate = 0;
            var stored = (await stores[0].SnapshotAsync(pool.Name, fresh: true, ct)).Reservations;
            return new Result
            {
                Elapsed = elapsed,
                Pods = state.Pods,
                PoolAddresses = [.. pool.Segments.SelectMany(s => new SegmentAddresses(s).From(null))],
                Stored = stored,
                Retries = stores.Sum(s => s.Stats.Retries),
                Taken = stores.Sum(s => s.Stats.Taken),
                SiblingClaims = stores.Sum(s => s.Stats.SiblingClaims),
                LostReplies = stores.Sum(s => s.Stats.LostReplies),
                FailedAdds = state.FailedAdds,
                LostDels = state.LostDels,
                Collected = collected + state.Collected,
            };
        }
        finally
        {
            foreach (var s in stores) await s.DisposeAsync();
            foreach (var c in clients) c.Dispose();
        }
    }

    sealed class RunState(int nodes)
    {
        public readonly List<Pod> Pods = [];
        public readonly HashSet<(string, string)>[] Valid = [.. Enumerable.Range(0, nodes).Select(_ => new HashSet<(string, string)>())];
        public int FailedAdds, LostDels, Collected, Done;
    }

    static async Task<Pod> StartPod(IpamService[] services, int a, NodeView[] nodes, IpPool pool, string pod, RunState state, Random rng, Options o, FakeKubeApiServer api, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; attempt < 200; attempt++)
        {
            string cid = $"{pod}-{attempt}";
            // The runtime lists an attachment as valid from the moment its sandbox exists, ADD still running.
            lock (state) state.Valid[a].Add((cid, "eth0"));
            try
            {
                var got = await services[a].AllocateAsync(new AllocationRequest
                {
                    Pool = pool, Node = nodes[a], Owner = new Owner(cid, "eth0") { PodNamespace = "bench", PodName = pod, PodUid = pod, Network = Network },
                }, ct);
                bool died;
                lock (rng) died = o.Faults && attempt == 0 && rng.Next(20) == 0;
                if (died)
                {
                    // The sandbox dies right after its ADD and the node never sends the DEL: a leak only GC can find.
                    lock (state) state.Valid[a].Remove((cid, "eth0"));
                    Interlocked.Increment(ref state.LostDels);
                    continue;
                }
                if (o.Faults && Interlocked.Increment(ref state.Done) == o.Demand / 2) api.Store.Compact(); // every watch behind now gets 410
                return new Pod(nodes[a].Name, cid, got.Reservation.Address, got.Segment.Name, got.Segment.Vlan, clock.Elapsed, got.Conflicts);
            }
            catch (Exception e) when (e is StoreUnavailableException || e is IpamException { Kind: IpamErrorKind.Contended or IpamErrorKind.PoolExhausted })
            {
                lock (state)
                {
                    state.FailedAdds++;
                    state.Valid[a].Remove((cid, "eth0"));
                }
                bool lostDel;
                lock (rng) lostDel = rng.Next(2) == 0;
                if (lostDel) Interlocked.Increment(ref state.LostDels);
                else
                    try { await services[a].ReleaseAsync(pool.Name, cid, "eth0", ct); }
                    catch (Exception d) when (d is StoreUnavailableException or IpamException) { Interlocked.Increment(ref state.LostDels); }
                // Exhausted while leaks hold addresses: the periodic GC of every agent frees them.
                if (e is IpamException { Kind: IpamErrorKind.PoolExhausted })
                    Interlocked.Add(ref state.Collected, await CollectEverywhere(services, nodes, pool, state, ct));
            }
        }
        throw new InvalidOperationException($"pod {pod} got no address in 200 tries");
    }

    sealed class LiveSet(object gate, HashSet<(string, string)> set) : IReadOnlySet<(string, string)>
    {
        HashSet<(string, string)> Copy()
        {
            lock (gate) return [.. set];
        }

        public bool Contains((string, string) item)
        {
            lock (gate) return set.Contains(item);
        }

        public int Count => Copy().Count;
        public IEnumerator<(string, string)> GetEnumerator() => Copy().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public bool IsProperSubsetOf(IEnumerable<(string, string)> other) => Copy().IsProperSubsetOf(other);
        public bool IsProperSupersetOf(IEnumerable<(string, string)> other) => Copy().IsProperSupersetOf(other);
        public bool IsSubsetOf(IEnumerable<(string, string)> other) => Copy().IsSubsetOf(other);
        public bool IsSupersetOf(IEnumerable<(string, string)> other) => Copy().IsSupersetOf(other);
        public bool Overlaps(IEnumerable<(string, string)> other) => Copy().Overlaps(other);
        public bool SetEquals(IEnumerable<(string, string)> other) => Copy().SetEquals(other);
    }

    static async Task<int> CollectEverywhere(IpamService[] services, NodeView[] nodes, IpPool pool, RunState state, CancellationToken ct)
    {
        int freed = 0;
        for (int n = 0; n < nodes.Length; n++)
            for (int attempt = 0; ; attempt++)
            {
                // The runtime's list is read when GC judges each reservation, after GC has read them: an attachment whose
                // ADD started meanwhile (its claim may be in that read) is valid, as the runtime knows its sandbox.
                var valid = new LiveSet(state, state.Valid[n]);
                try
                {
                    freed += (await services[n].CollectAsync(pool.Name, nodes[n].Name, Network, valid, ct)).Count;
                    break;
                }
                catch (Exception e) when (attempt < 50 && (e is StoreUnavailableException || e is IpamException { Kind: IpamErrorKind.Contended }))
                {
                }
            }
        return freed;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Testing;
using Cdd.Testing.Kube;

namespace Cdd.Bench;

/// <summary>
/// One cdd-ipamd process (out/cdd-ipamd, Kubernetes store) against the in-process API server holding one IPPool of
/// 5,000 nodes' segments (one /24 per node, the other 4,999 nodes simulated as objects, not processes), filled with
/// 5,000 and with 550,000 reservations (1 and 110 per other node's segment; the agent's own segment starts empty in
/// both). Another node holds the pool-status Lease, as in a cluster, so the measured agent is one of the 4,999 others.
/// Measured: start-up to ready, RSS when ready and after the ADDs, API requests per minute idle and per ADD, ADD
/// latency (client side, one at a time).
/// </summary>
public static class IpamScaleBench
{
    const int Nodes = 5000, Adds = 200;
    static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(30);

    sealed record Figures(int Reservations, double StartupS, long ReadyRssKiB, long AfterRssKiB, double IdlePerMin, double PerAdd, double P50, double P99);

    public static string Report(CancellationToken ct)
    {
        var rows = new List<Figures>();
        foreach (int perSegment in new[] { 1, 110 })
        {
            Console.Error.WriteLine($"IPAM scale: one agent, {Nodes:N0} nodes' segments, {perSegment * (Nodes - 1):N0} reservations...");
            rows.Add(Run(perSegment, ct));
        }
        var w = new StringWriter();
        w.WriteLine($"### cdd-ipamd at {Nodes:N0} nodes: one agent, pool of {Nodes:N0} segments, 5,000 vs 550,000 reservations");
        w.WriteLine();
        w.WriteLine("out/cdd-ipamd against the in-process API server on loopback (every request real HTTP and JSON). The other nodes exist only " +
                    "as their reservations; another node holds the pool-status Lease. Start-up: process start to /readyz 200. Idle: API requests " +
                    $"in {IdleWindow.TotalSeconds:0} s with nothing asked (housekeeping every 10 s), per minute. ADD: {Adds} pods one at a time, " +
                    "latency at the client, API requests counted over the ADDs.");
        w.WriteLine();
        Markdown.Table(w, ["reservations in the pool", "start-up (s)", "RSS ready", $"RSS after {Adds} ADDs", "API requests/min idle", "API requests per ADD", "ADD p50 (ms)", "ADD p99 (ms)"],
            rows.Select(r => new[]
            {
                r.Reservations.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), $"{r.StartupS:0.00}", Markdown.KiB(r.ReadyRssKiB), Markdown.KiB(r.AfterRssKiB),
                $"{r.IdlePerMin:0.0}", $"{r.PerAdd:0.00}", Markdown.Ms(r.P50), Markdown.Ms(r.P99),
            }));
        return w.ToString();
    }

    static Figures Run(int perSegment, CancellationToken ct)
    {
        using var dir = new TempDir("cdd-ipam-scale-bench");
        using var api = new FakeKubeApiServer()
            .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
            .Serve("cdd.io", "v1", "ippools", "IPPool")
            .Serve("", "v1", "pods", "Pod")
            .Serve("", "v1", "nodes", "Node")
            .Serve("", "v1", "namespaces", "Namespace")
            .Serve("coordination.k8s.io", "v1", "leases", "Lease");
        long requests = 0;
        api.Requested += (_, _) => Interlocked.Increment(ref requests);
        Populate(api.Store, perSegment);
        string kubeconfig = api.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig"));
        string binary = RepoRoot.Published("cdd-ipamd", "ipam/Cdd.Ipamd/Cdd.Ipamd.csproj");
        string socket = Path.Combine(dir.Path, "ipamd.sock");
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var clock = Stopwatch.StartNew();
        using var p = RunningProcess.Start(binary, ["--kubeconfig", kubeconfig, "--socket", socket, "--http", $"127.0.0.1:{port}", "--node-name", "node-0",
            "--housekeeping-seconds", "10"], onStderrLine: line => Console.Error.WriteLine($"cdd-ipamd: {line}"));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            Eventually.True("cdd-ipamd to be ready", () =>
            {
                if (p.HasExited) throw new InvalidOperationException($"cdd-ipamd exited ({p.ExitCode})");
                try
                {
                    return http.GetAsync("readyz", ct).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(50));
            double startup = clock.Elapsed.TotalSeconds;
            Thread.Sleep(2000); // the first housekeeping round, then idle
            long readyRss = Rss(p.Id);

            long before = Interlocked.Read(ref requests);
            Thread.Sleep(IdleWindow);
            double idlePerMin = (Interlocked.Read(ref requests) - before) * (60 / IdleWindow.TotalSeconds);

            var lat = new Samples();
            before = Interlocked.Read(ref requests);
            for (int i = 0; i < Adds; i++)
            {
                ct.ThrowIfCancellationRequested();
                var t = Stopwatch.StartNew();
                var r = AgentClient.Call(socket, new AgentRequest
                {
                    Verb = "ADD", Pool = "scale", Network = "bench-net", ContainerId = $"c{i}", IfName = "eth0",
                    PodNamespace = "bench", PodName = $"pod-{i}",
                }, TimeSpan.FromSeconds(10));
                lat.Add(t.Elapsed.TotalMilliseconds);
                if (!r.Ok) throw new InvalidOperationException($"ADD {i}: {r.Msg}");
            }
            double perAdd = (double)(Interlocked.Read(ref requests) - before) / Adds;
            long afterRss = Rss(p.Id);
            return new Figures(perSegment * (Nodes - 1), startup, readyRss, afterRss, idlePerMin, perAdd, lat.P50, lat.P99);
        }
        finally
        {
            if (!p.HasExited)
            {
                _ = Tmds.Linux.LibC.kill(p.Id, 15);
                if (!p.WaitForExit(TimeSpan.FromSeconds(5))) p.Kill();
            }
        }
    }

    /// <summary>The pool (one /24 per node, selected by the node's label), node-0, its pods, a Lease another node holds, and the other nodes' reservations.</summary>
    static void Populate(KubeObjectStore store, int perSegment)
    {
        var segments = new JsonArray();
        for (int n = 0; n < Nodes; n++)
            segments.Add(new JsonObject
            {
                ["name"] = $"n{n}", ["subnet"] = $"10.{n / 256}.{n % 256}.0/24", ["gateway"] = $"10.{n / 256}.{n % 256}.1", ["vlan"] = 100 + n % 3000,
                ["nodeSelector"] = new JsonObject { ["cdd.io/bench-node"] = $"node-{n}" },
            });
        store.Create(KubeRoute.Parse("/apis/cdd.io/v1/ippools")!, new JsonObject
        {
            ["apiVersion"] = "cdd.io/v1", ["kind"] = "IPPool", ["metadata"] = new JsonObject { ["name"] = "scale" }, ["spec"] = new JsonObject { ["segments"] = segments },
        });
        store.Create(KubeRoute.Parse("/api/v1/nodes")!, (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-0","labels":{"cdd.io/bench-node":"node-0"}}}""")!);
        store.Create(KubeRoute.Parse("/api/v1/namespaces")!, (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bench"}}""")!);
        for (int i = 0; i < Adds; i++)
            store.Create(KubeRoute.Parse("/api/v1/namespaces/bench/pods")!, (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"POD","namespace":"bench"}}""".Replace("POD", $"pod-{i}", StringComparison.Ordinal))!);
        // The status writer is another node, renewing for an hour.
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        store.Create(KubeRoute.Parse("/apis/coordination.k8s.io/v1/namespaces/cdd-system/leases")!, (JsonObject)JsonNode.Parse(
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"cdd-ipamd-pool-status","namespace":"cdd-system"},"spec":{"holderIdentity":"node-4999","leaseDurationSeconds":3600,"acquireTime":"NOW","renewTime":"NOW"}}""".Replace("NOW", now, StringComparison.Ordinal))!);
        var route = KubeRoute.Parse("/apis/cdd.io/v1/ipreservations")!;
        for (int n = 1; n < Nodes; n++)
            for (int k = 0; k < perSegment; k++)
            {
                string address = $"10.{n / 256}.{n % 256}.{10 + k}";
                string name = $"scale-{address.Replace('.', '-')}";
                store.Create(route, new JsonObject
                {
                    ["apiVersion"] = "cdd.io/v1", ["kind"] = "IPReservation",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = name,
                        ["labels"] = new JsonObject { ["cdd.io/pool"] = "scale", ["cdd.io/segment"] = $"n{n}", ["cdd.io/node"] = $"node-{n}" },
                    },
                    ["spec"] = new JsonObject
                    {
                        ["pool"] = "scale", ["segment"] = $"n{n}", ["address"] = address, ["vlan"] = 100 + n % 3000, ["node"] = $"node-{n}",
                        ["owner"] = new JsonObject { ["containerID"] = $"c-{n}-{k}", ["ifname"] = "eth0", ["podNamespace"] = "bench", ["podName"] = $"p-{n}-{k}", ["network"] = "bench-net" },
                    },
                });
            }
        store.Compact(); // the history of the fill is not what the agent watches from
    }

    static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return -1;
    }
}

using System.Net.Sockets;
using Cdd.Testing;

namespace Cdd.Bench;

/// <summary>
/// out/cdd-ipamd for the bench, as on a node: on the Kubernetes store, against the in-process API server (loopback
/// HTTP) holding one IPPool; its socket in the bench's folder. Started before the pass that uses it (and waited for
/// until the socket answers), stopped with SIGTERM at the end together with the API server.
/// </summary>
public sealed class AgentProcess : IDisposable
{
    readonly RunningProcess _process;
    readonly Cdd.Testing.Kube.FakeKubeApiServer _api;

    AgentProcess(RunningProcess process, string socket, Cdd.Testing.Kube.FakeKubeApiServer api)
    {
        _process = process;
        Socket = socket;
        _api = api;
    }

    /// <summary>IPReservation objects in the API server now.</summary>
    public int Reservations =>
        _api.Store.List(Cdd.Testing.Kube.KubeRoute.Parse("/apis/cdd.io/v1/ipreservations")!, Cdd.Testing.Kube.LabelSelector.Parse("")).Items.Count;

    public string Socket { get; }
    Uri Metrics { get; init; } = null!;

    /// <summary>The agent's own mean time per request of <paramref name="verb"/> (from its histogram's sum and count), ms.</summary>
    public double AgentMeanMs(string verb)
    {
        // A plain blocking socket from this thread: the bench runs inside the node's namespace, and HttpClient would
        // connect from a pool thread in the host's.
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Connect(System.Net.IPAddress.Loopback, Metrics.Port);
        s.Send(System.Text.Encoding.ASCII.GetBytes($"GET {Metrics.AbsolutePath} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = s.Receive(chunk)) > 0) buffer.Write(chunk, 0, n);
        string text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        double Value(string series) => text.Split('\n').Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault(double.NaN);
        return Value($"cdd_ipamd_request_duration_seconds_sum{{verb=\"{verb}\"}}") / Value($"cdd_ipamd_request_duration_seconds_count{{verb=\"{verb}\"}}") * 1000;
    }

    public static AgentProcess Start(string dir, string pool, string subnet, string gateway)
    {
        string binary = RepoRoot.Published("cdd-ipamd", "ipam/Cdd.Ipamd/Cdd.Ipamd.csproj");
        Directory.CreateDirectory(dir);
        var api = new Cdd.Testing.Kube.FakeKubeApiServer()
            .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
            .Serve("cdd.io", "v1", "ippools", "IPPool")
            .Serve("", "v1", "pods", "Pod")
            .Serve("", "v1", "nodes", "Node")
            .Serve("", "v1", "namespaces", "Namespace");
        api.Store.Create(Cdd.Testing.Kube.KubeRoute.Parse("/apis/cdd.io/v1/ippools")!, System.Text.Json.Nodes.JsonNode.Parse($$$"""
            {"apiVersion":"cdd.io/v1","kind":"IPPool","metadata":{"name":"{{{pool}}}"},
             "spec":{"segments":[{"name":"s1","subnet":"{{{subnet}}}","gateway":"{{{gateway}}}","routes":[{"dst":"0.0.0.0/0"}]}]} }
            """)!.AsObject());
        api.Store.Create(Cdd.Testing.Kube.KubeRoute.Parse("/api/v1/nodes")!, System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"bench-node"}}""")!.AsObject());
        string kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string socket = Path.Combine(dir, "ipamd.sock");
        RunningProcess p;
        try
        {
            p = RunningProcess.Start(binary, ["--kubeconfig", kubeconfig, "--socket", socket, "--http", $"127.0.0.1:{port}", "--node-name", "bench-node"],
                onStderrLine: line => Console.Error.WriteLine($"cdd-ipamd: {line}"));
        }
        catch
        {
            api.Dispose();
            throw;
        }
        var agent = new AgentProcess(p, socket, api) { Metrics = new Uri($"http://127.0.0.1:{port}/metrics") };
        try
        {
            Eventually.True($"cdd-ipamd to answer on {socket}", () =>
            {
                if (agent.Answers()) return true;
                if (p.HasExited) throw new InvalidOperationException($"cdd-ipamd did not come up on {socket} (exit {p.ExitCode})");
                return false;
            }, TimeSpan.FromSeconds(30));
        }
        catch
        {
            agent.Dispose();
            throw;
        }
        return agent;
    }

    bool Answers() => File.Exists(Socket) && Cdd.Ipamd.SocketServer.IsServed(Socket);

    /// <summary>Peak RSS of the agent so far (VmHWM), KiB.</summary>
    public long PeakRssKiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return -1;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _ = Tmds.Linux.LibC.kill(_process.Id, 15);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill();
        }
        _process.Dispose();
        _api.Dispose();
    }
}

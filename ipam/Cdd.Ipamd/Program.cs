using System.CommandLine;
using System.Net;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Config;
using Cdd.Ipam.Files;
using Cdd.Ipam.Model;
using Cdd.Ipamd;
using Serilog;
using Serilog.Formatting.Compact;

var root = new RootCommand("cdd-ipamd: the cdd-ipam node agent. Serves cdd-cni and cdd-ipam over a Unix socket, keeps the pool and reservation caches, writes pool status and collects leaked addresses.");
var node = new Option<string?>("--node-name") { Description = "This node's name (default: $NODE_NAME, else the host name)." };
var socket = new Option<string>("--socket") { Description = "The plugin socket.", DefaultValueFactory = _ => AgentProtocol.DefaultSocket };
var http = new Option<string?>("--http") { Description = "Health and metrics address (host:port), or \"off\".", DefaultValueFactory = _ => "127.0.0.1:9473" };
var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubernetes store: the kubeconfig (default: in-cluster service account, else $KUBECONFIG)." };
var poolsFile = new Option<string?>("--pools-file") { Description = "File store instead of Kubernetes: the pools, {\"pools\": [IPPool spec, ...]}." };
var dataDir = new Option<string>("--data-dir") { Description = "File store: where reservations live.", DefaultValueFactory = _ => "/var/lib/cni/cdd-ipam" };
var labels = new Option<string[]>("--node-label") { Description = "File store: a label of this node, KEY=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
var trunk = new Option<string?>("--trunk-vlans") { Description = "File store: VLANs this node's trunk can tag, comma-separated." };
var grace = new Option<double>("--leak-grace-seconds") { Description = "Kubernetes store: how long a reservation's pod must be gone before the address is released.", DefaultValueFactory = _ => 300 };
var interval = new Option<double>("--housekeeping-seconds") { Description = "How often pool status is written and leaks are swept.", DefaultValueFactory = _ => 30 };
root.Options.Add(node);
root.Options.Add(socket);
root.Options.Add(http);
root.Options.Add(kubeconfig);
root.Options.Add(poolsFile);
root.Options.Add(dataDir);
root.Options.Add(labels);
root.Options.Add(trunk);
root.Options.Add(grace);
root.Options.Add(interval);

root.SetAction(async (r, ct) =>
{
    Log.Logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Console(new RenderedCompactJsonFormatter()).CreateLogger();
    try
    {
        string nodeName = r.GetValue(node) ?? (Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } n ? n : Environment.MachineName.ToLowerInvariant());
        if (!nodeName.Split('.').All(Names.IsDnsLabel)) throw new ArgumentException($"--node-name \"{nodeName}\" is not a node name");
        string socketPath = r.GetValue(socket)!;
        if (!Path.IsPathFullyQualified(socketPath) || socketPath.Split('/').Contains(".."))
            throw new ArgumentException($"--socket \"{socketPath}\" must be an absolute path without '..'");
        IPEndPoint? endpoint = r.GetValue(http) is null or "off" ? null
            : IPEndPoint.TryParse(r.GetValue(http)!, out var ep) ? ep : throw new ArgumentException($"--http \"{r.GetValue(http)}\" is not host:port");
        double housekeeping = r.GetValue(interval);
        if (housekeeping is <= 0 or > 3600) throw new ArgumentException("--housekeeping-seconds must be in (0, 3600]");
        double leakGrace = r.GetValue(grace);
        if (leakGrace is < 0 or > 7 * 86400) throw new ArgumentException("--leak-grace-seconds must be in [0, 604800]");

        var options = new AgentOptions
        {
            NodeName = nodeName,
            StatusLeaseNamespace = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } podNs ? podNs : "cdd-system",
            SocketPath = socketPath,
            Http = endpoint,
            HousekeepingInterval = TimeSpan.FromSeconds(housekeeping),
        };
        await using var agent = r.GetValue(poolsFile) is { } file
            ? await StartFileAgent(options, file, r.GetValue(dataDir)!, r.GetValue(labels) ?? [], r.GetValue(trunk))
            : await KubeBackend.StartAsync(options with { LeakGrace = TimeSpan.FromSeconds(leakGrace) }, r.GetValue(kubeconfig), Log.Logger, ct);

        var stopped = new TaskCompletionSource();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
        using var reg = ct.Register(() => stopped.TrySetResult());
        await stopped.Task;
        return 0;
    }
    catch (Exception ex) when (ex is ArgumentException or PoolConfigException or IOException or Cdd.Ipam.Store.StoreUnavailableException)
    {
        Log.Fatal("ipamd.start.failed {Error}", ex.Message);
        return 2;
    }
    finally
    {
        await Log.CloseAndFlushAsync();
    }
});
return await root.Parse(args).InvokeAsync();

static Task<Agent> StartFileAgent(AgentOptions options, string poolsFile, string dataDir, string[] labels, string? trunk)
{
    if (!Path.IsPathFullyQualified(dataDir)) throw new ArgumentException($"--data-dir \"{dataDir}\" must be an absolute path");
    var nodeLabels = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var l in labels)
    {
        int eq = l.IndexOf('=');
        if (eq <= 0 || !Names.IsLabelKey(l[..eq]) || !Names.IsLabelValue(l[(eq + 1)..]))
            throw new ArgumentException($"--node-label \"{l}\" is not KEY=VALUE with a valid label key and value");
        nodeLabels[l[..eq]] = l[(eq + 1)..];
    }
    var vlans = new HashSet<int>();
    foreach (var v in (trunk ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        vlans.Add(int.TryParse(v, out int id) && id is >= 1 and <= 4094 ? id : throw new ArgumentException($"--trunk-vlans: \"{v}\" is not a VLAN (1..4094)"));
    var view = new FileClusterView(FileClusterView.ReadPools(poolsFile), new NodeView(options.NodeName, nodeLabels, vlans), dataDir);
    return Agent.StartAsync(options, view, new FilePoolStores(dataDir, TimeSpan.FromSeconds(10)), podsRequired: false, Log.Logger);
}

using System.CommandLine;
using System.Net;
using Cdd.Operator.Plan;
using Cdd.Operator.Reconcile;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cdd.Operator.Extender;

/// <summary>
/// `cdd-operator extender`: serves /filter and /prioritize over one of two sources: the live inventory read from the API
/// server (`--kubeconfig`, or the pod's service account when no source option is given), re-read when older than
/// `--inventory-ttl`; or a fixed inventory and cluster list (`--inventory nodes.yaml --clusters clusters.yaml`, the
/// files `plan` reads).
/// </summary>
internal static class ExtenderCommand
{
    /// <summary>Below kube-scheduler's usual extender httpTimeout (5 s): the scheduler gets our Error, not its own timeout.</summary>
    private static readonly TimeSpan ApiTimeout = TimeSpan.FromSeconds(4);

    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Live inventory from this API server; the pod's service account when no source option is given." };
        var ttl = new Option<double?>("--inventory-ttl") { Description = "Live inventory: seconds a read of nodes, member pods and MySQLClusters serves calls (default 1)." };
        var inventory = new Option<FileInfo?>("--inventory") { Description = "Fixed inventory: nodes.yaml, the nodes and the members already running (with --clusters)." };
        var clusters = new Option<FileInfo?>("--clusters") { Description = "Fixed inventory: clusters.yaml, the MySQL clusters whose pods are scheduled (with --inventory)." };
        var listen = new Option<string>("--listen") { Description = "host:port to serve on.", DefaultValueFactory = _ => "0.0.0.0:8888" };
        var command = new Command("extender", "Serve the placement filter and score as a kube-scheduler extender.") { kubeconfig, ttl, inventory, clusters, listen };
        command.SetAction(async (r, ct) =>
        {
            if (!IPEndPoint.TryParse(r.GetValue(listen)!, out var endpoint) || endpoint.Port == 0)
            {
                Console.Error.WriteLine($"--listen \"{r.GetValue(listen)}\" is not host:port");
                return PlanCommand.InvalidInput;
            }
            var (kube, inv, cl, seconds) = (r.GetValue(kubeconfig), r.GetValue(inventory), r.GetValue(clusters), r.GetValue(ttl));
            if (SourceProblem(kube is not null, inv is not null, cl is not null, seconds) is { } problem)
            {
                Console.Error.WriteLine($"cdd-operator extender: {problem}");
                return PlanCommand.InvalidInput;
            }
            IPlacementSource source;
            k8s.IKubernetes? client = null;
            try
            {
                if (inv is not null)
                    source = FilePlacement.Load(inv.FullName, cl!.FullName);
                else
                {
                    client = OperatorClient.Create(kube, ApiTimeout);
                    var c = client;
                    source = new SnapshotCache(t => KubePlacementReader.ReadAsync(c, t), TimeProvider.System, TimeSpan.FromSeconds(seconds ?? DefaultTtlSeconds));
                }
            }
            catch (PlanInputException ex)
            {
                foreach (var e in ex.Errors) Console.Error.WriteLine(e);
                return PlanCommand.InvalidInput;
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or k8s.Exceptions.KubeConfigException)
            {
                Console.Error.WriteLine($"cdd-operator extender: {e.Message}");
                return PlanCommand.InvalidInput;
            }
            using var _ = client;
            await using var app = Build(source, endpoint);
            await app.StartAsync(ct);
            Console.Error.WriteLine($"cdd-operator extender: serving {endpoint} over the {(client is null ? "inventory files" : "live inventory")}");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public const double DefaultTtlSeconds = 1;

    /// <summary>Exactly one source: the files (both of them, no live options) or the API server. Null when the options agree.</summary>
    public static string? SourceProblem(bool kubeconfig, bool inventory, bool clusters, double? ttlSeconds)
    {
        if (inventory != clusters) return "the fixed inventory needs both --inventory and --clusters";
        if (inventory && kubeconfig) return "give either --kubeconfig (live inventory) or --inventory and --clusters (fixed files), not both";
        if (inventory && ttlSeconds is not null) return "--inventory-ttl applies to the live inventory only, not to --inventory/--clusters";
        if (ttlSeconds is { } s && !(s >= 0 && double.IsFinite(s))) return $"--inventory-ttl {s} is not a number of seconds ≥ 0";
        return null;
    }

    public static WebApplication Build(IPlacementSource source, IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        ExtenderEndpoints.Map(app, source);
        return app;
    }
}

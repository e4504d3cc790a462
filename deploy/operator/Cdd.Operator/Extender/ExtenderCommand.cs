using System.CommandLine;
using System.Net;
using Cdd.Operator.Placement;
using Cdd.Operator.Plan;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cdd.Operator.Extender;

/// <summary>
/// `cdd-operator extender`: serves /filter and /prioritize over a fixed inventory and cluster list (the files `plan`
/// reads). The live inventory (node metrics, MySQLCluster resources) comes with the reconciler.
/// </summary>
public static class ExtenderCommand
{
    public static Command Create()
    {
        var inventory = new Option<FileInfo>("--inventory") { Description = "nodes.yaml: the nodes and the members already running.", Required = true };
        var clusters = new Option<FileInfo>("--clusters") { Description = "clusters.yaml: the MySQL clusters whose pods are scheduled.", Required = true };
        var listen = new Option<string>("--listen") { Description = "host:port to serve on.", DefaultValueFactory = _ => "0.0.0.0:8888" };
        var command = new Command("extender", "Serve the placement filter and score as a kube-scheduler extender.") { inventory, clusters, listen };
        command.SetAction(async (r, ct) =>
        {
            if (!IPEndPoint.TryParse(r.GetValue(listen)!, out var endpoint) || endpoint.Port == 0)
            {
                Console.Error.WriteLine($"--listen \"{r.GetValue(listen)}\" is not host:port");
                return PlanCommand.InvalidInput;
            }
            PlanInput input;
            Planner planner;
            try
            {
                input = PlanInput.Load(r.GetValue(inventory)!.FullName, r.GetValue(clusters)!.FullName);
                planner = new Planner(input.Nodes, input.Members);
            }
            catch (PlanInputException ex)
            {
                foreach (var e in ex.Errors) Console.Error.WriteLine(e);
                return PlanCommand.InvalidInput;
            }
            var byName = input.Clusters.ToDictionary(c => c.Name, StringComparer.Ordinal);
            await using var app = Build(new SchedulerExtender(planner, n => byName.GetValueOrDefault(n)), endpoint);
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public static WebApplication Build(SchedulerExtender extender, IPEndPoint endpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        ExtenderEndpoints.Map(app, extender);
        return app;
    }
}

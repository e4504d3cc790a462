using System.CommandLine;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Plan;

/// <summary>
/// `cdd-operator plan`: placement without a cluster, for capacity planning. Exit 0 when every cluster was placed,
/// 1 when one could not be (the reasons go to stderr), 2 when the input is invalid.
/// </summary>
internal static class PlanCommand
{
    public const int Unplaceable = 1;
    public const int InvalidInput = 2;

    public static Command Create()
    {
        var inventory = new Option<FileInfo>("--inventory") { Description = "nodes.yaml: the nodes and the members already running.", Required = true };
        var clusters = new Option<FileInfo>("--clusters") { Description = "clusters.yaml: the MySQL clusters to place, in order.", Required = true };
        var explain = new Option<bool>("--explain") { Description = "For a cluster that cannot be placed, list every node with every filter it fails (default: counts per filter on large inventories)." };
        var command = new Command("plan", "Print where every member and primary would go, and the per-host figures.") { inventory, clusters, explain };
        command.SetAction(r =>
        {
            // Thousands of lines: buffered, flushed once (Console's writers flush every line).
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16);
            using var stderr = new StreamWriter(Console.OpenStandardError(), new System.Text.UTF8Encoding(false), 1 << 16);
            return Run(r.GetValue(inventory)!.FullName, r.GetValue(clusters)!.FullName, stdout, stderr, r.GetValue(explain));
        });
        return command;
    }

    public static int Run(string inventoryPath, string clustersPath, TextWriter stdout, TextWriter stderr, bool explain = false)
    {
        PlanInput input;
        Planner planner;
        try
        {
            input = PlanInput.Load(inventoryPath, clustersPath);
            planner = new Planner(input.Nodes, input.Members);
        }
        catch (PlanInputException ex)
        {
            foreach (var e in ex.Errors) stderr.WriteLine(e);
            return InvalidInput;
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine(ex.Message);
            return InvalidInput;
        }
        var steps = input.Clusters.Select(c => (c, planner.Place(c))).ToList();
        PlanReport.Members(stdout, steps);
        stdout.WriteLine();
        PlanReport.Hosts(stdout, planner.Hosts);
        stdout.WriteLine();
        PlanReport.Summary(stdout, steps, planner.Hosts);
        PlanReport.Failures(stderr, steps, explain);
        return steps.All(s => s.Item2.Placed) ? 0 : Unplaceable;
    }
}

using System.CommandLine;
using Cdd.Operator.Plan;

var root = new RootCommand("cdd-operator: places MySQL Group Replication members across hosts.");
root.Subcommands.Add(PlanCommand.Create());
return await root.Parse(args).InvokeAsync();

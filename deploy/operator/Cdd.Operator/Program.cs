using System.CommandLine;
using Cdd.Operator.Extender;
using Cdd.Operator.Plan;

var root = new RootCommand("cdd-operator: places MySQL Group Replication members across hosts.");
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(ExtenderCommand.Create());
return await root.Parse(args).InvokeAsync();

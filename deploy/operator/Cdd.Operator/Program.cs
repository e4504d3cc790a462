using System.CommandLine;
using Cdd.Operator.Extender;
using Cdd.Operator.Plan;
using Cdd.Operator.Reconcile;

var root = new RootCommand("cdd-operator: places MySQL Group Replication members across hosts.");
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(ExtenderCommand.Create());
root.Subcommands.Add(RunCommand.Create());
return await root.Parse(args).InvokeAsync();

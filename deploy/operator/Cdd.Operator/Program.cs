using System.CommandLine;

var root = new RootCommand("cdd-operator: places MySQL Group Replication members across hosts.");
return await root.Parse(args).InvokeAsync();

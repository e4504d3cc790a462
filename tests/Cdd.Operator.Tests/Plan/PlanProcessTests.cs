using System.Diagnostics;

namespace Cdd.Operator.Tests.Plan;

/// <summary>The real entry point: cdd-operator.dll run as a process, argument parsing and exit codes included.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class PlanProcessTests
{
    private static (int Exit, string Out, string Err) CddOperator(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cdd-operator.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "cdd-operator did not finish within 60 s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Sample(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CddPlugins.sln"))) return Path.Combine(d.FullName, "deploy", "operator", "samples", name);
        throw new InvalidOperationException("CddPlugins.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Cdd_operator_plan_on_the_samples_exits_0_and_prints_both_tables()
    {
        var (exit, o, err) = CddOperator("plan", "--inventory", Sample("nodes.yaml"), "--clusters", Sample("clusters.yaml"));
        Assert.True(exit == 0, err);
        Assert.Contains("CLUSTER", o);
        Assert.Contains("CPU-COMMITTED", o);
        Assert.Contains("placed 5/5 clusters", o);
    }

    [Fact]
    public void Cdd_operator_plan_without_an_inventory_exits_non_zero_and_says_which_option()
    {
        var (exit, _, err) = CddOperator("plan", "--clusters", Sample("clusters.yaml"));
        Assert.NotEqual(0, exit);
        Assert.Contains("--inventory", err);
    }
}

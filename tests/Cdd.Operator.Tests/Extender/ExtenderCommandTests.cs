using System.CommandLine;
using Cdd.Operator.Extender;

namespace Cdd.Operator.Tests.Extender;

/// <summary>The extender serves from exactly one source: the API server or the two files.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ExtenderCommandTests
{
    [Theory]
    [InlineData(false, false, false, null)]
    [InlineData(true, false, false, null)]
    [InlineData(true, false, false, 0.5)]
    [InlineData(false, true, true, null)]
    public void One_source_is_accepted(bool kubeconfig, bool inventory, bool clusters, double? ttl) =>
        Assert.Null(ExtenderCommand.SourceProblem(kubeconfig, inventory, clusters, ttl));

    [Theory]
    [InlineData(false, true, false, null, "the fixed inventory needs both --inventory and --clusters")]
    [InlineData(false, false, true, null, "the fixed inventory needs both --inventory and --clusters")]
    [InlineData(true, true, true, null, "give either --kubeconfig (live inventory) or --inventory and --clusters (fixed files), not both")]
    [InlineData(false, true, true, 1.0, "--inventory-ttl applies to the live inventory only, not to --inventory/--clusters")]
    [InlineData(true, false, false, -1.0, "--inventory-ttl -1 is not a number of seconds ≥ 0")]
    public void Two_sources_or_half_of_one_are_refused_with_the_reason(bool kubeconfig, bool inventory, bool clusters, double? ttl, string reason) =>
        Assert.Equal(reason, ExtenderCommand.SourceProblem(kubeconfig, inventory, clusters, ttl));

    [Theory]
    [InlineData("--inventory", "nodes.yaml")]
    [InlineData("--kubeconfig", "/nonexistent/kubeconfig", "--clusters", "clusters.yaml", "--inventory", "nodes.yaml")]
    [InlineData("--kubeconfig", "/nonexistent/kubeconfig")]
    public async Task The_command_exits_2_before_serving_when_the_source_is_unusable(params string[] args)
    {
        var root = new RootCommand { ExtenderCommand.Create() };
        Assert.Equal(2, await root.Parse(["extender", "--listen", "127.0.0.1:1", .. args]).InvokeAsync());
    }
}

using Cdd.Operator.Members;
using k8s.Models;

namespace Cdd.Operator.Tests.Members;

/// <summary>A PV's node affinity read as kube-scheduler reads it: the terms OR'd, the requirements of a term AND'ed.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class MemberVolumesTests
{
    static readonly V1Node Node = new() { Metadata = new V1ObjectMeta { Name = "n1", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "n1", ["rack"] = "a", ["disks"] = "4" } } };

    static V1NodeSelectorTerm Labels(params (string Key, string Op, string[] Values)[] r) =>
        new() { MatchExpressions = r.Select(x => Requirement(x.Key, x.Op, x.Values)).ToList() };

    static V1NodeSelectorRequirement Requirement(string key, string op, string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values };

    [Theory]
    [InlineData("kubernetes.io/hostname", "In", "n1", true)]
    [InlineData("kubernetes.io/hostname", "In", "n2", false)]
    [InlineData("rack", "NotIn", "b", true)]
    [InlineData("rack", "NotIn", "a", false)]
    [InlineData("rack", "Exists", null, true)]
    [InlineData("zone", "Exists", null, false)]
    [InlineData("zone", "DoesNotExist", null, true)]
    [InlineData("disks", "Gt", "3", true)]
    [InlineData("disks", "Lt", "3", false)]
    [InlineData("rack", "Sideways", "a", false)]
    public void A_label_requirement_holds_as_kubernetes_defines_it(string key, string op, string? value, bool holds) =>
        Assert.Equal(holds, MemberVolumes.Matches(Labels((key, op, value is null ? [] : [value])), Node));

    [Fact]
    public void Every_requirement_of_a_term_must_hold_and_match_fields_name_the_node()
    {
        Assert.False(MemberVolumes.Matches(Labels(("rack", "In", ["a"]), ("kubernetes.io/hostname", "In", ["n2"])), Node));
        Assert.True(MemberVolumes.Matches(new V1NodeSelectorTerm { MatchFields = [Requirement("metadata.name", "In", ["n1"])] }, Node));
        Assert.False(MemberVolumes.Matches(new V1NodeSelectorTerm(), Node)); // an empty term matches nothing
    }
}

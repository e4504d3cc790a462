using Cdd.Ipam.Config;

namespace Cdd.Ipam.Tests.Config;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class SelectorParserTests
{
    static PoolJson Pool(LabelSelectorJson? pods = null, LabelSelectorJson? namespaces = null) => new()
    {
        Name = "p",
        Segments = [Pools.Segment("a", "10.0.0.0/24")],
        PodSelector = pods,
        NamespaceSelector = namespaces,
    };

    static readonly Dictionary<string, string> Mysql = new() { ["app"] = "mysql", ["tier"] = "db" };

    [Fact]
    public void A_pool_without_selectors_admits_every_pod()
    {
        var pool = PoolParser.Parse(Pool());
        Assert.True(pool.Admits(new Dictionary<string, string>(), new Dictionary<string, string>()));
    }

    [Fact]
    public void Match_labels_and_every_operator_are_anded()
    {
        var pool = PoolParser.Parse(Pool(pods: new LabelSelectorJson
        {
            MatchLabels = new() { ["app"] = "mysql" },
            MatchExpressions =
            [
                new LabelRequirementJson { Key = "tier", Operator = "In", Values = ["db", "cache"] },
                new LabelRequirementJson { Key = "canary", Operator = "DoesNotExist" },
                new LabelRequirementJson { Key = "zone", Operator = "NotIn", Values = ["z9"] },
                new LabelRequirementJson { Key = "app", Operator = "Exists" },
            ],
        }));
        var none = new Dictionary<string, string>();
        Assert.True(pool.Admits(none, Mysql));
        Assert.False(pool.Admits(none, new Dictionary<string, string>(Mysql) { ["canary"] = "1" }));
        Assert.False(pool.Admits(none, new Dictionary<string, string>(Mysql) { ["zone"] = "z9" }));
        Assert.False(pool.Admits(none, new Dictionary<string, string> { ["app"] = "mysql", ["tier"] = "web" }));
        Assert.False(pool.Admits(none, new Dictionary<string, string> { ["tier"] = "db" }));
    }

    [Fact]
    public void The_namespace_selector_judges_the_namespaces_labels()
    {
        var pool = PoolParser.Parse(Pool(namespaces: new LabelSelectorJson { MatchLabels = new() { ["team"] = "dba" } }));
        Assert.True(pool.Admits(new Dictionary<string, string> { ["team"] = "dba" }, Mysql));
        Assert.False(pool.Admits(new Dictionary<string, string> { ["team"] = "web" }, Mysql));
    }

    [Theory]
    [InlineData("Equals", new[] { "x" }, "pool.podSelector.matchExpressions[0].operator")]
    [InlineData("In", new string[0], "pool.podSelector.matchExpressions[0].values")]
    [InlineData("Exists", new[] { "x" }, "pool.podSelector.matchExpressions[0].values")]
    public void A_bad_requirement_names_its_field(string op, string[] values, string field)
    {
        var ex = Assert.Throws<PoolConfigException>(() => PoolParser.Parse(Pool(pods: new LabelSelectorJson
        {
            MatchExpressions = [new LabelRequirementJson { Key = "app", Operator = op, Values = [.. values] }],
        })));
        Assert.Equal(field, ex.Field);
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("a/b/c")]
    [InlineData("")]
    public void A_bad_label_key_is_refused(string key)
    {
        var ex = Assert.Throws<PoolConfigException>(() => PoolParser.Parse(Pool(pods: new LabelSelectorJson { MatchLabels = new() { [key] = "x" } })));
        Assert.Equal("pool.podSelector.matchLabels", ex.Field);
    }

    [Fact]
    public void A_prefixed_label_key_is_accepted()
    {
        var pool = PoolParser.Parse(Pool(pods: new LabelSelectorJson { MatchLabels = new() { ["app.kubernetes.io/name"] = "mysql" } }));
        Assert.True(pool.Admits(new Dictionary<string, string>(), new Dictionary<string, string> { ["app.kubernetes.io/name"] = "mysql" }));
    }
}

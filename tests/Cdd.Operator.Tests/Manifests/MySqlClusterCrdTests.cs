using System.Globalization;
using System.Text.RegularExpressions;
using Cdd.Operator.Placement;
using YamlDotNet.RepresentationModel;

namespace Cdd.Operator.Tests.Manifests;

/// <summary>The MySQLCluster CRD says what the placement engine and plan's input accept, no more and no less.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public class MySqlClusterCrdTests
{
    private static readonly YamlMappingNode Crd = Load();

    private static readonly string CrdPath = FindCrd();

    private static string FindCrd()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CddPlugins.sln")))
                return Path.Combine(d.FullName, "deploy", "manifests", "crds", "mysqlclusters.cdd.io.yaml");
        throw new InvalidOperationException("CddPlugins.sln not found");
    }

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(FindCrd())));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
            node = int.TryParse(key, out int i) ? ((YamlSequenceNode)node)[i] : ((YamlMappingNode)node)[key];
        return node;
    }

    private static YamlMappingNode Spec => (YamlMappingNode)At(Crd, "spec", "versions", "0", "schema", "openAPIV3Schema", "properties", "spec", "properties");
    private static YamlMappingNode Status => (YamlMappingNode)At(Crd, "spec", "versions", "0", "schema", "openAPIV3Schema", "properties", "status", "properties");
    private static string Scalar(YamlNode n) => ((YamlScalarNode)n).Value!;
    private static double Number(YamlNode n) => double.Parse(Scalar(n), CultureInfo.InvariantCulture);
    private static IEnumerable<string> Enum(YamlNode n) => ((YamlSequenceNode)At(n, "enum")).Select(Scalar);

    [Fact]
    public void The_crd_is_cdd_io_v1_namespaced_with_a_status_subresource()
    {
        Assert.Equal("mysqlclusters.cdd.io", Scalar(At(Crd, "metadata", "name")));
        Assert.Equal("Namespaced", Scalar(At(Crd, "spec", "scope")));
        Assert.Equal("v1", Scalar(At(Crd, "spec", "versions", "0", "name")));
        Assert.IsType<YamlMappingNode>(At(Crd, "spec", "versions", "0", "subresources", "status"));
    }

    [Fact]
    public void Members_allow_exactly_the_sizes_the_engine_places()
    {
        Assert.Equal(ClusterRequest.AllowedMembers.Order(), Enum(Spec["members"]).Select(int.Parse).Order());
    }

    [Fact]
    public void Network_modes_are_the_engines_modes()
    {
        Assert.Equal(System.Enum.GetValues<NetworkMode>().Select(m => m.ToString().ToLowerInvariant()).Order(), Enum(At(Spec, "network", "properties", "mode")).Order());
    }

    [Fact]
    public void Over_commit_and_breaker_defaults_are_the_engines_defaults()
    {
        var oc = At(Spec, "overCommit", "properties");
        Assert.Equal(ClusterRequest.DefaultOverCommitCeiling, Number(At(oc, "cpuCeiling", "default")));
        var b = At(oc, "breakers", "properties");
        var d = BreakerThresholds.Default;
        Assert.Equal(new BreakerThresholds(Number(At(b, "cpu", "default")), Number(At(b, "memory", "default")), Number(At(b, "network", "default")), Number(At(b, "disk", "default"))), d);
    }

    [Theory]
    [InlineData("storage", "properties", "size")]
    [InlineData("resources", "properties", "memory")]
    public void Byte_quantity_patterns_accept_what_plan_accepts(params string[] path)
    {
        var pattern = new Regex(Scalar(At(At(Spec, path), "pattern")));
        foreach (var ok in new[] { "16Gi", "2Ti", "500G", "1.5Gi", "1024" })
        {
            Assert.NotNull(Quantity.Bytes(ok));
            Assert.Matches(pattern, ok);
        }
        foreach (var bad in new[] { "16GB", "lots", "-1Gi" }) Assert.DoesNotMatch(pattern, bad);
    }

    [Fact]
    public void Cpu_pattern_accepts_what_plan_accepts()
    {
        var pattern = new Regex(Scalar(At(Spec, "resources", "properties", "cpu", "pattern")));
        foreach (var ok in new[] { "4", "2.5", "500m" }) Assert.Matches(pattern, ok);
        foreach (var bad in new[] { "4 cores", "1Gi", "-1" }) Assert.DoesNotMatch(pattern, bad);
    }

    [Fact]
    public void Status_members_carry_node_fixed_ip_role_and_phase_and_the_roles_are_mgrs()
    {
        var member = (YamlMappingNode)At(Status, "members", "items", "properties");
        foreach (var field in new[] { "name", "node", "ip", "role", "state", "phase" }) Assert.True(member.Children.ContainsKey(field), field);
        Assert.Equal(["PRIMARY", "SECONDARY"], Enum(member["role"]));
        Assert.True(Status.Children.ContainsKey("conditions"));
    }

    [Fact]
    public void The_status_has_every_member_field_the_reconciler_writes()
    {
        var member = (YamlMappingNode)At(Status, "members", "items", "properties");
        foreach (var field in new[] { "name", "ip", "node", "role", "state", "phase" }) Assert.True(member.Children.ContainsKey(field), field);
        Assert.Equal(["ERROR", "OFFLINE", "ONLINE", "RECOVERING", "UNREACHABLE"], Enum(member["state"]).Order());
    }

    [Fact]
    public void The_sample_cluster_is_a_spec_the_reconciler_accepts()
    {
        string path = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(CrdPath))!)!, "manifests", "samples", "mysqlcluster.yaml");
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var doc = stream.Documents.Select(d => (YamlMappingNode)d.RootNode).Single(d => Scalar(d["kind"]) == "MySQLCluster");
        var json = (System.Text.Json.Nodes.JsonObject)ToJson(doc)!;
        json["metadata"]!["uid"] = "u-1";
        var spec = Cdd.Operator.Model.ClusterSpec.Parse(json);
        Assert.Equal("orders-credentials", spec.CredentialsSecret);
        Assert.Equal([70, 60, 50], spec.Weights);
        foreach (var field in new[] { "credentialsSecret", "memberWeights" }) Assert.True(((YamlMappingNode)At(Spec, "mysql", "properties")).Children.ContainsKey(field), field);
    }

    /// <summary>YAML as the API server stores it in JSON: plain scalars that are numbers become numbers, quoted ones stay strings.</summary>
    private static System.Text.Json.Nodes.JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new System.Text.Json.Nodes.JsonObject(m.Children.Select(kv => KeyValuePair.Create(Scalar(kv.Key), ToJson(kv.Value)))),
        YamlSequenceNode q => new System.Text.Json.Nodes.JsonArray([.. q.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p when double.TryParse(p.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) =>
            System.Text.Json.Nodes.JsonValue.Create(d),
        YamlScalarNode p => System.Text.Json.Nodes.JsonValue.Create(p.Value),
        _ => null,
    };
}

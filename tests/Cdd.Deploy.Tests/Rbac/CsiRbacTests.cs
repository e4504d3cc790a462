using static Cdd.Deploy.Tests.Problems;
using System.Text.RegularExpressions;
using Cdd.Deploy.Tests.Manifests;
using Cdd.Testing;

namespace Cdd.Deploy.Tests.Rbac;

/// <summary>
/// cdd-csi's own API use, derived from its source: only the pool array (San/Pool) talks to the API server, through
/// the four calls of its IKube (KubeRest: GET the collection, POST, PUT, DELETE); its role grants exactly the
/// (verb, resource) pairs PoolArray calls, both ways. The node plugins' service accounts carry only their sidecars'
/// roles (kubernetes-csi's, for the versions deploy/images/versions.env pins): cdd-csi on a node calls no API.
/// </summary>
[Tier(Tier.Unit)]
public sealed class CsiRbacTests
{
    static readonly ManifestTree Tree = ManifestTree.Load();
    static readonly string Csi = Path.Combine(RepoRoot.Path, "csi", "Cdd.Csi");

    /// <summary>IKube's methods and what KubeRest sends for each (checked against KubeRest.cs below).</summary>
    static readonly Dictionary<string, (string Verb, string Http)> Methods = new(StringComparer.Ordinal)
    {
        ["ListAsync"] = ("list", "GetAsync(Base + plural)"),
        ["CreateAsync"] = ("create", "PostAsync(Base + plural"),
        ["UpdateAsync"] = ("update", "PutAsync($\"{Base}{plural}/{name}\""),
        ["DeleteAsync"] = ("delete", "DeleteAsync($\"{Base}{plural}/{name}\""),
    };

    static List<ApiUse> PoolUses()
    {
        string pool = File.ReadAllText(Path.Combine(Csi, "San", "Pool", "PoolArray.cs"));
        var plurals = Regex.Matches(pool, @"(\w+) = ""(san\w+)""").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var uses = Regex.Matches(pool, @"kube\.(\w+)\((\w+)")
            .Select(m => new ApiUse(Methods[m.Groups[1].Value].Verb, "cdd.io", plurals[m.Groups[2].Value]))
            .Distinct().ToList();
        Assert.NotEmpty(uses);
        return uses;
    }

    [Fact]
    public void KubeRest_sends_what_the_table_says_for_each_method()
    {
        string rest = File.ReadAllText(Path.Combine(Csi, "San", "Pool", "KubeRest.cs"));
        foreach (var (_, (_, http)) in Methods) Assert.True(rest.Contains(http, StringComparison.Ordinal), $"KubeRest.cs no longer calls {http}");
        Assert.Contains("const string Base = \"apis/cdd.io/v1/\"", rest);
    }

    [Fact]
    public void Only_the_pool_array_talks_to_the_api_server()
    {
        var talking = Directory.EnumerateFiles(Csi, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\bKubeRest\b|\bIKube\b|using k8s\b|HttpClient\b"))
            .Select(f => Path.GetRelativePath(Csi, f)).Order(StringComparer.Ordinal);
        Assert.Equal(["Program.cs", "San/Pool/KubeRest.cs", "San/Pool/PoolArray.cs"], talking);
    }

    static RoleGrants PoolRole(ManifestTree tree)
    {
        var all = RoleGrants.For(tree, "cdd-system", "cdd-csi-san-controller");
        return all.Only("ClusterRole/cdd-csi-san-pool");
    }

    [Fact]
    public void The_san_pool_role_grants_exactly_what_the_pool_array_calls()
    {
        AssertNone(PoolRole(Tree).Diff(PoolUses()));
        var mutated = RoleGrants.WithVerb(Tree, "cdd-csi-san-pool", "sanlunclaims", "create", present: false);
        Assert.Contains("missing: the component does create cdd.io/sanlunclaims, which its role does not grant", PoolRole(mutated).Diff(PoolUses()));
        var extra = RoleGrants.WithVerb(Tree, "cdd-csi-san-pool", "sanluns", "watch", present: true);
        Assert.Contains(PoolRole(extra).Diff(PoolUses()), p => p.StartsWith("unused: watch cdd.io/sanluns", StringComparison.Ordinal));
    }

    [Fact]
    public void No_node_plugin_role_touches_our_own_kinds()
    {
        foreach (var sa in new[] { "cdd-csi-node", "default" })
            Assert.DoesNotContain(RoleGrants.For(Tree, "cdd-system", sa).Grants, g => g.Group == "cdd.io");
        var sanNode = Workload.In(Tree).Single(w => w.Source.Name == "cdd-csi-san-node");
        Assert.True(sanNode.Pod.ServiceAccountName is null or "default", "the SAN node plugin calls no API and needs no service account of its own");
        Assert.False(sanNode.Pod.AutomountServiceAccountToken ?? true, "the SAN node plugin mounts no API token");
    }
}

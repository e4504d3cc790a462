using static Cdd.Deploy.Tests.Problems;
using System.Text.Json;
using Cdd.Testing;
using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>Every manifest loads into typed objects (strict: an unknown field fails), and our own kinds fit the CRDs shipped beside them.</summary>
[Tier(Tier.Unit)]
public sealed class ManifestLoadTests
{
    static readonly ManifestTree Tree = ManifestTree.Load();

    [Fact]
    public void Every_file_of_the_tree_loads_strictly_into_typed_objects()
    {
        var kinds = Tree.Objects.GroupBy(o => o.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, kinds["Namespace"]); // cdd-system, and the samples' db
        Assert.Equal(5, kinds["CustomResourceDefinition"]);
        Assert.Equal(3, kinds["DaemonSet"]);
        Assert.Equal(3, kinds["Deployment"]);
        Assert.Equal(4, kinds["StorageClass"]);
        Assert.Equal(2, kinds["CSIDriver"]);
        Assert.Equal(3, kinds["NetworkAttachmentDefinition"]);
        Assert.Equal(1, kinds["MySQLCluster"]);
        Assert.Equal(1, kinds["IPPool"]);
        Assert.IsType<V1DaemonSet>(Tree.Single("DaemonSet", "cdd-ipamd").Object);
    }

    [Fact]
    public void A_misspelled_field_fails_the_load_and_names_the_file()
    {
        string yaml = File.ReadAllText(Path.Combine(ManifestTree.Root, "ipam", "daemonset.yaml")).Replace("hostNetwork: true", "hostNetwrok: true", StringComparison.Ordinal);
        var e = Assert.Throws<ManifestException>(() => ManifestTree.Parse(yaml, "ipam/daemonset.yaml"));
        Assert.Contains("ipam/daemonset.yaml", e.Message);
        Assert.Contains("hostNetwrok", e.Message);
    }

    [Fact]
    public void Our_own_objects_fit_the_crds_in_the_tree()
    {
        AssertNone(CrdSchema.Check(Tree));
        Assert.Equal(4, Tree.Objects.Count(o => o.Object is CustomObject)); // the pool, the cluster, two SanLuns
    }

    [Theory]
    [InlineData("vlan: 120", "vlan: 5000", "above the maximum 4094")]
    [InlineData("vlan: 120", "vlan: \"120\"", "expected integer, got string")]
    [InlineData("gateway: 10.20.0.1", "gatway: 10.20.0.1", "unknown field gatway")]
    [InlineData("    - name: seg-b", "    - name: Seg_B", "does not match")]
    public void A_sample_pool_the_crd_refuses_is_reported(string from, string to, string expected)
    {
        string yaml = File.ReadAllText(Path.Combine(ManifestTree.Root, "samples", "ippool.yaml"));
        Assert.Contains(from, yaml);
        var crds = Tree.OfKind("CustomResourceDefinition").ToList();
        var mutated = ManifestTree.Parse(yaml.Replace(from, to, StringComparison.Ordinal), "samples/ippool.yaml");
        var problems = CrdSchema.Check(ManifestTree.FromObjects([.. crds, .. mutated]));
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void One_network_attachment_per_mode_each_on_cni_1_0_0_with_the_agents_ipam()
    {
        var modes = new List<string>();
        foreach (var o in Tree.OfKind("NetworkAttachmentDefinition"))
        {
            using var config = JsonDocument.Parse(o.As<NetworkAttachmentDefinition>().Spec.Config);
            var root = config.RootElement;
            Assert.Equal("1.0.0", root.GetProperty("cniVersion").GetString());
            Assert.Equal(o.Name, root.GetProperty("name").GetString());
            Assert.Equal("cdd-cni", root.GetProperty("type").GetString());
            Assert.Equal("cdd-ipam", root.GetProperty("ipam").GetProperty("type").GetString());
            Assert.Equal(Tree.OfKind("IPPool").Single().Name, root.GetProperty("ipam").GetProperty("pool").GetString());
            modes.Add(root.GetProperty("mode").GetString()!);
        }
        Assert.Equal(["macvlan", "overlay", "sriov"], modes.Order());
    }
}

using Cdd.Operator.Plan;

namespace Cdd.Operator.Tests.Plan;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PlanCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdd-operator-plan-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Samples()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "CddPlugins.sln"))) return Path.Combine(d.FullName, "deploy", "operator", "samples");
        throw new InvalidOperationException("CddPlugins.sln not found above " + AppContext.BaseDirectory);
    }

    private (int Exit, string Out, string Err) Plan(string inventory, string clusters)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int exit = PlanCommand.Run(inventory, clusters, o, e);
        return (exit, o.ToString(), e.ToString());
    }

    private string Write(string name, string yaml)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string OneNode = """
        nodes:
          - name: n1
            allocatable: { cpu: "8", memory: 32Gi }
            network: { sriovFreeVfs: 2, macvlanMaster: true, overlay: true }
            storage: [ { class: local-lvm, free: 1Ti } ]
        """;

    [Fact]
    public void Planning_the_samples_places_every_cluster_and_prints_each_member_and_the_host_figures()
    {
        var (exit, o, err) = Plan(Path.Combine(Samples(), "nodes.yaml"), Path.Combine(Samples(), "clusters.yaml"));
        Assert.True(exit == 0, err);
        Assert.Equal("", err);
        var lines = o.Split('\n', StringSplitOptions.TrimEntries);
        Assert.StartsWith("CLUSTER", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("NODE") && l.Contains("PRIMARIES") && l.Contains("CPU-COMMITTED"));
        foreach (var (cluster, members) in new[] { ("payments", 5), ("orders", 3), ("ledger", 3), ("reports", 3), ("audit", 1) })
        {
            var rows = lines.Where(l => l.StartsWith(cluster + " ")).ToList();
            Assert.Equal(members, rows.Count);
            Assert.Single(rows, r => r.Contains(" PRIMARY "));
        }
        // The running payments members keep their nodes and their primary.
        Assert.Matches(@"payments\s+0\s+db-a1\s+PRIMARY\s+sriov\s+local-lvm\s+running", o);
        // db-a2 trips the CPU breaker and db-b2 has no VF left: neither gets an SR-IOV member.
        Assert.Matches(@"db-a2\s+a\s+0\s+0\s+0%", o);
        Assert.DoesNotMatch(@"\w+\s+\d\s+db-b2\s+\w+\s+sriov", o);
        Assert.Contains("placed 5/5 clusters", o);
    }

    [Fact]
    public void A_cluster_that_cannot_be_placed_exits_1_and_names_each_nodes_reason()
    {
        var clusters = Write("clusters.yaml", """
            clusters:
              - { name: big, members: 3, networkMode: sriov, storage: { class: local-lvm, size: 10Gi }, resources: { cpu: "1", memory: 1Gi } }
            """);
        var (exit, o, err) = Plan(Write("nodes.yaml", OneNode), clusters);
        Assert.Equal(PlanCommand.Unplaceable, exit);
        Assert.Contains("cannot place: cluster \"big\" needs 3 more node(s) for 3 member(s), 1 eligible", err);
        Assert.Contains("placed 0/1 clusters", o);
    }

    [Fact]
    public void A_node_that_fails_a_filter_is_listed_with_that_filter()
    {
        var clusters = Write("clusters.yaml", """
            clusters:
              - { name: fat, members: 1, networkMode: overlay, storage: { class: local-lvm, size: 10Gi }, resources: { cpu: "13", memory: 1Gi } }
            """);
        var (exit, _, err) = Plan(Write("nodes.yaml", OneNode), clusters);
        Assert.Equal(PlanCommand.Unplaceable, exit);
        Assert.Contains("  n1: cpu: 0m committed + 13000m > 1.5 × 8000m allocatable", err);
    }

    [Fact]
    public void On_a_large_inventory_a_refused_cluster_gets_counts_per_filter_and_explain_lists_every_node()
    {
        // 25 nodes: 5 without a MacVLAN master, and every one too small for the cluster's CPU request.
        var nodes = "nodes:\n" + string.Concat(Enumerable.Range(1, 25).Select(i => $$"""
              - name: n{{i:00}}
                allocatable: { cpu: "8", memory: 32Gi }
                network: { sriovFreeVfs: 0, macvlanMaster: {{(i <= 20 ? "true" : "false")}}, overlay: true }
                storage: [ { class: local-lvm, free: 1Ti } ]

            """));
        var clusters = Write("clusters.yaml", """
            clusters:
              - { name: fat, members: 3, networkMode: macvlan, storage: { class: local-lvm, size: 10Gi }, resources: { cpu: "13", memory: 1Gi } }
            """);
        var inventory = Write("nodes.yaml", nodes);

        var (exit, _, err) = Plan(inventory, clusters);
        Assert.Equal(PlanCommand.Unplaceable, exit);
        Assert.Contains("  25 nodes fail: cpu 25, network 5 (--explain lists every node)", err);
        Assert.DoesNotContain("  n01:", err);

        var e = new StringWriter();
        PlanCommand.Run(inventory, clusters, new StringWriter(), e, explain: true);
        Assert.Contains("  n01: cpu: 0m committed + 13000m > 1.5 × 8000m allocatable", e.ToString());
        Assert.Contains("  n25: network: no MacVLAN master; cpu:", e.ToString());
    }

    [Fact]
    public void Every_invalid_field_is_reported_with_its_file_and_path_and_exits_2()
    {
        var nodes = Write("nodes.yaml", """
            nodes:
              - name: N_1
                allocatable: { cpu: lots, memory: 32Gi }
                network: { sriovFreeVfs: -1 }
                storage: [ { class: local-lvm } ]
                pressure: { cpu: -0.5 }
            members:
              - { cluster: x, node: n9, role: LEADER }
            """);
        var clusters = Write("clusters.yaml", """
            clusters:
              - name: x
                members: 4
                networkMode: infiniband
                storage: { class: local-lvm, size: 10GB }
                resources: { cpu: "1" }
                overCommit: 0
                breakers: { disk: 1.5 }
            """);
        var (exit, o, err) = Plan(nodes, clusters);
        Assert.Equal(PlanCommand.InvalidInput, exit);
        Assert.Equal("", o);
        string[] expected =
        [
            "nodes.yaml: nodes[0].name: \"N_1\" is not a node name",
            "nodes.yaml: nodes[0].allocatable.cpu: \"lots\" is not a CPU quantity",
            "nodes.yaml: nodes[0].network.sriovFreeVfs: -1 must be ≥ 0",
            "nodes.yaml: nodes[0].storage[0].free: is required",
            "nodes.yaml: nodes[0].pressure.cpu: -0.5 must be a fraction",
            "nodes.yaml: members[0].node: \"n9\" is not in nodes",
            "nodes.yaml: members[0].role: \"LEADER\" must be PRIMARY or SECONDARY",
            "clusters.yaml: clusters[0].members: 4 must be 1, 3, 5, 7 or 9",
            "clusters.yaml: clusters[0].networkMode: \"infiniband\" must be sriov, macvlan or overlay",
            "clusters.yaml: clusters[0].storage.size: \"10GB\" is not a byte quantity",
            "clusters.yaml: clusters[0].resources.memory: is required",
            "clusters.yaml: clusters[0].overCommit: 0 must be in (0, 10]",
            "clusters.yaml: clusters[0].breakers.disk: 1.5 must be in (0, 1]",
        ];
        foreach (var line in expected) Assert.Contains(line, err);
    }

    [Fact]
    public void A_misspelt_key_is_refused_with_its_line_instead_of_falling_back_to_a_default()
    {
        var clusters = Write("clusters.yaml", """
            clusters:
              - name: x
                members: 1
                overcommit: 2
            """);
        var (exit, _, err) = Plan(Write("nodes.yaml", OneNode), clusters);
        Assert.Equal(PlanCommand.InvalidInput, exit);
        Assert.StartsWith("clusters.yaml:4:", err);
        Assert.Contains("overcommit", err);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_refused_with_its_line()
    {
        var clusters = Write("clusters.yaml", "clusters:\n  - name: x\n    members: three\n");
        var (exit, _, err) = Plan(Write("nodes.yaml", OneNode), clusters);
        Assert.Equal(PlanCommand.InvalidInput, exit);
        Assert.StartsWith("clusters.yaml:3:", err);
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_path()
    {
        var (exit, _, err) = Plan(Path.Combine(_dir, "absent.yaml"), Write("clusters.yaml", "clusters: []"));
        Assert.Equal(PlanCommand.InvalidInput, exit);
        Assert.Contains("absent.yaml: cannot read", err);
    }
}

using System.Text;
using Cdd.Operator.Plan;

namespace Cdd.Operator.Tests.Plan;

/// <summary>`plan` places the most constrained clusters first, so a batch does not strand a cluster needing scarce hosts.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PlanOrderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cdd-operator-plan-order-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    (int Exit, string Out, string Err) Plan(string nodes, string clusters)
    {
        File.WriteAllText(Path.Combine(_dir, "nodes.yaml"), nodes);
        File.WriteAllText(Path.Combine(_dir, "clusters.yaml"), clusters);
        var o = new StringWriter();
        var e = new StringWriter();
        int exit = PlanCommand.Run(Path.Combine(_dir, "nodes.yaml"), Path.Combine(_dir, "clusters.yaml"), o, e);
        return (exit, o.ToString(), e.ToString());
    }

    static string Node(string name, int vfs, string storage, string cpu = "1") =>
        $"  - {{ name: {name}, allocatable: {{ cpu: \"{cpu}\", memory: 64Gi }}, network: {{ sriovFreeVfs: {vfs}, macvlanMaster: false, overlay: true }}, storage: [ {storage} ] }}\n";

    static string Cluster(string name, string mode, string cls) =>
        $"  - {{ name: {name}, members: 3, networkMode: {mode}, storage: {{ class: {cls}, size: 10Gi }}, resources: {{ cpu: \"1\", memory: 1Gi }} }}\n";

    [Fact]
    public void A_cluster_listed_after_one_that_could_go_anywhere_still_gets_the_only_hosts_it_fits()
    {
        // Six one-member hosts: a-1..a-3 have SR-IOV and the gold class, b-1..b-3 neither. Placed in file order, the
        // overlay cluster would take a-1..a-3 (names break its ties) and strand the SR-IOV one.
        var nodes = new StringBuilder("nodes:\n");
        for (int i = 1; i <= 3; i++) nodes.Append(Node($"a-{i}", 1, "{ class: gold, free: 1Ti }, { class: local-lvm, free: 1Ti }"));
        for (int i = 1; i <= 3; i++) nodes.Append(Node($"b-{i}", 0, "{ class: local-lvm, free: 1Ti }"));
        var (exit, o, err) = Plan(nodes.ToString(), "clusters:\n" + Cluster("anywhere", "overlay", "local-lvm") + Cluster("scarce", "sriov", "gold"));
        Assert.True(exit == 0, err);
        Assert.Contains("placed 2/2 clusters", o);
        Assert.Matches(@"scarce\s+\d\s+a-\d", o);
        Assert.DoesNotMatch(@"anywhere\s+\d\s+a-\d", o);
        // Reported in the file's order.
        Assert.True(o.IndexOf("anywhere ", StringComparison.Ordinal) < o.IndexOf("scarce ", StringComparison.Ordinal));
    }

    [Fact]
    public void Three_thousand_clusters_on_five_hundred_hosts_are_all_placed_when_a_placement_exists()
    {
        // Built so that one exists: 60 hosts with SR-IOV and gold (one member slot each is enough for the 20 scarce
        // clusters), every host 20 one-CPU member slots (cpu 13.34 × 1.5 ceiling), 9,000 members on 10,000 slots; the
        // scarce clusters come last in the file.
        var nodes = new StringBuilder("nodes:\n");
        for (int i = 0; i < 500; i++)
            nodes.Append(i < 60 ? Node($"h{i:D3}", 1, "{ class: gold, free: 10Ti }, { class: local-lvm, free: 10Ti }", "13334m")
                : Node($"h{i:D3}", 0, "{ class: local-lvm, free: 10Ti }", "13334m"));
        var clusters = new StringBuilder("clusters:\n");
        for (int c = 0; c < 2980; c++) clusters.Append(Cluster($"c{c:D4}", "overlay", "local-lvm"));
        for (int c = 0; c < 20; c++) clusters.Append(Cluster($"s{c:D2}", "sriov", "gold"));
        var (exit, o, err) = Plan(nodes.ToString(), clusters.ToString());
        Assert.True(exit == 0, err.Length > 2000 ? err[..2000] : err);
        Assert.Contains("placed 3000/3000 clusters", o);
    }
}

using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;
using k8s;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PlaceMembersStepTests
{
    static readonly ClusterSpec Spec = StepFixture.Spec();

    static PlaceMembersStep Step(IKubernetes client) => new(client, new KubeMemberAddresses(client), new MySqlClusterApi(client));

    [Fact]
    public async Task Every_member_with_a_live_pod_is_placed()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]);
        var c = await Step(f.Client).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.Placed, true, "Placed", "3 member(s) placed on distinct nodes"), c);
    }

    [Fact]
    public async Task A_terminating_member_pod_is_waited_for()
    {
        using var f = new StepFixture();
        var leaving = StepFixture.Pod(Spec, 2);
        leaving.Metadata.DeletionTimestamp = DateTime.UnixEpoch;
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0), StepFixture.Pod(Spec, 1), leaving]);
        var c = await Step(f.Client).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.Placed, false, "Waiting", "waiting for member pods to be replaced"), c);
    }

    [Fact]
    public async Task Missing_members_get_a_pod_a_pvc_and_an_address_on_distinct_nodes()
    {
        using var f = new StepFixture();
        for (int i = 1; i <= 3; i++) f.F.AddNode($"node-{i}", zone: $"z{i}");
        var snapshot = StepFixture.Snapshot(Spec, [], addresses: new Dictionary<int, System.Net.IPAddress>());
        var pass = f.Pass(snapshot);
        var c = await Step(f.Client).RunAsync(snapshot, pass);
        Assert.Equal(new Condition(Condition.Placed, true, "Placed", "3 member(s) placed on distinct nodes"), c);
        Assert.Equal(3, pass.Snapshot.Pods.Values.Select(p => p.Spec.NodeName).Distinct().Count());
        Assert.Equal(3, pass.Snapshot.Addresses.Count);
        Assert.Equal(["data-orders-0", "data-orders-1", "data-orders-2"], f.F.Pvcs().Select(p => p.Name()).Order());
    }

    [Fact]
    public async Task Too_few_nodes_make_the_cluster_unplaceable_and_nothing_is_created()
    {
        using var f = new StepFixture();
        f.F.AddNode("node-1");
        var snapshot = StepFixture.Snapshot(Spec, [], addresses: new Dictionary<int, System.Net.IPAddress>());
        var c = await Step(f.Client).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal((Condition.Placed, false, "Unplaceable"), (c!.Type, c.Status, c.Reason));
        Assert.Empty(f.F.Pods());
        Assert.Empty(f.F.Pvcs());
    }

    [Fact]
    public async Task After_a_refused_binding_placement_is_skipped()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [], addresses: new Dictionary<int, System.Net.IPAddress>());
        var pass = f.Pass(snapshot);
        pass.Report(new Condition(Condition.Placed, false, "Unplaceable", "no segment"));
        Assert.Null(await Step(f.Client).RunAsync(snapshot, pass));
        Assert.Empty(f.F.Pods());
    }
}

using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;
using k8s.Models;

namespace Cdd.Operator.Tests.Reconcile.Steps;

/// <summary>The steps that keep the cluster's plain objects right and conclude no condition: Services, claims, scale-down.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ClusterObjectStepsTests
{
    [Fact]
    public async Task Missing_services_are_created_and_existing_ones_left_alone()
    {
        using var f = new StepFixture();
        var spec = StepFixture.Spec();
        var snapshot = StepFixture.Snapshot(spec, []) with { Services = [MemberManifests.HeadlessService(spec)] };
        Assert.Null(await new EnsureServicesStep(f.Client).RunAsync(snapshot, f.Pass(snapshot)));
        Assert.Equal(["orders-primary"], f.F.Services().Select(s => s.Name()));
    }

    [Fact]
    public async Task A_member_pod_whose_claim_is_missing_gets_it_back_on_its_node()
    {
        using var f = new StepFixture();
        var spec = StepFixture.Spec();
        var pvcs = new Dictionary<string, V1PersistentVolumeClaim> { ["data-orders-0"] = MemberManifests.Pvc(spec, 0, "node-1") };
        var snapshot = StepFixture.Snapshot(spec, [StepFixture.Pod(spec, 0), StepFixture.Pod(spec, 1)], pvcs: pvcs);
        Assert.Null(await new EnsureClaimsStep(f.Client).RunAsync(snapshot, f.Pass(snapshot)));
        var made = Assert.Single(f.F.Pvcs());
        Assert.Equal("data-orders-1", made.Name());
        Assert.Equal("node-2", made.Annotation(MemberNames.SelectedNodeAnnotation));
    }

    [Fact]
    public async Task Scaling_down_deletes_the_members_above_spec_members_and_keeps_the_rest()
    {
        using var f = new StepFixture();
        var spec = StepFixture.Spec(members: 3);
        var five = StepFixture.Spec(members: 5);
        var snapshot = StepFixture.Snapshot(spec, Enumerable.Range(0, 5).Select(i => StepFixture.Pod(five, i)));
        f.Store(snapshot);
        Assert.Null(await new ScaleDownStep(f.Client).RunAsync(snapshot, f.Pass(snapshot)));
        Assert.Equal(["orders-0", "orders-1", "orders-2"], f.PodNames());
    }
}

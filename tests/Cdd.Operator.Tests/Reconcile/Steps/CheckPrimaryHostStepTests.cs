using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class CheckPrimaryHostStepTests
{
    static readonly ClusterSpec Spec = StepFixture.Spec();

    static StepFixture WithNodes(string? primaryPressure)
    {
        var f = new StepFixture();
        for (int i = 1; i <= 3; i++) f.F.AddNode($"node-{i}", zone: $"z{i}", pressure: i == 1 ? primaryPressure : null);
        return f;
    }

    static ClusterSnapshot Whole(bool primary = true) =>
        StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: primary), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]);

    [Fact]
    public async Task Without_a_primary_or_with_a_member_missing_there_is_nothing_to_judge()
    {
        using var f = WithNodes(null);
        var step = new CheckPrimaryHostStep(f.Client, NoPrimaryPromoter.Instance);
        var noPrimary = Whole(primary: false);
        Assert.Null(await step.RunAsync(noPrimary, f.Pass(noPrimary)));
        var partial = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true)]);
        Assert.Null(await step.RunAsync(partial, f.Pass(partial)));
    }

    [Fact]
    public async Task A_primary_on_a_calm_host_is_healthy()
    {
        using var f = WithNodes("cpu=0.1");
        var snapshot = Whole();
        var c = await new CheckPrimaryHostStep(f.Client, NoPrimaryPromoter.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.PrimaryHostHealthy, true, "NoBreakerTripped", "primary host \"node-1\" trips no breaker"), c);
    }

    [Fact]
    public async Task An_overloaded_primary_host_without_a_promoter_reports_the_move_it_could_not_make()
    {
        using var f = WithNodes("cpu=0.99");
        var snapshot = Whole();
        f.Store(snapshot);
        var c = await new CheckPrimaryHostStep(f.Client, NoPrimaryPromoter.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.NotNull(c);
        Assert.Equal((Condition.PrimaryHostHealthy, false, "MoveNotExecuted"), (c.Type, c.Status, c.Reason));
        Assert.EndsWith("(no promoter is configured)", c.Message);
    }

    [Fact]
    public async Task An_overloaded_primary_host_makes_the_promoter_move_the_role_to_a_secondary()
    {
        using var f = WithNodes("cpu=0.99");
        var snapshot = Whole();
        f.Store(snapshot);
        var promoter = new RecordingPromoter();
        var c = await new CheckPrimaryHostStep(f.Client, promoter).RunAsync(snapshot, f.Pass(snapshot));
        var call = Assert.Single(promoter.Calls);
        Assert.Contains(call.Pod, new[] { "orders-1", "orders-2" });
        Assert.Equal(StepFixture.Addresses(3)[call.Pod == "orders-1" ? 1 : 2].ToString(), call.Host);
        Assert.Equal((Condition.PrimaryHostHealthy, false, "PrimaryMoved"), (c!.Type, c.Status, c.Reason));
        Assert.EndsWith($"group_replication_set_as_primary() on {call.Pod}", c.Message);
    }
}

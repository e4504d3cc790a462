using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class RollPodsStepTests
{
    static readonly ClusterSpec Spec = StepFixture.Spec(image: "mysql:9.7");

    [Fact]
    public async Task Members_on_the_spec_are_up_to_date_and_nothing_is_deleted()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]);
        f.Store(snapshot);
        var c = await new RollPodsStep(f.Client, NoPrimaryPromoter.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.PodsUpToDate, true, "UpToDate", "every member runs mysql:9.7 with the spec's requests"), c);
        Assert.Equal(3, f.PodNames().Count);
    }

    [Fact]
    public async Task A_stale_secondary_of_a_whole_group_is_restarted_before_the_primary()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true, image: "mysql:8.4"), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2, image: "mysql:8.4")]);
        f.Store(snapshot);
        var c = await new RollPodsStep(f.Client, NoPrimaryPromoter.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.PodsUpToDate, false, "Restarting", "restarting orders-2 to run mysql:9.7; 1 more after it"), c);
        Assert.Equal(["orders-0", "orders-1"], f.PodNames());
    }

    [Fact]
    public async Task A_member_not_online_makes_the_roll_wait()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true), StepFixture.Pod(Spec, 1, image: "mysql:8.4"), StepFixture.Pod(Spec, 2)]) with
        {
            States = new Dictionary<string, string> { ["orders-0"] = "ONLINE", ["orders-1"] = "ONLINE", ["orders-2"] = "RECOVERING" },
        };
        var c = await new RollPodsStep(f.Client, NoPrimaryPromoter.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.PodsUpToDate, false, "Waiting", "1 member(s) to restart; waiting for orders-2 to be running and ONLINE"), c);
    }

    [Fact]
    public async Task Only_the_primary_stale_without_a_promoter_says_the_switchover_is_not_possible()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true, image: "mysql:8.4"), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]);
        var c = await new RollPodsStep(f.Client, NoPrimaryPromoter.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.PodsUpToDate, false, "SwitchoverNotPossible", "the PRIMARY orders-0 runs an old spec and no promoter is configured"), c);
    }

    [Fact]
    public async Task Only_the_primary_stale_hands_its_role_to_an_up_to_date_secondary()
    {
        using var f = new StepFixture();
        var promoter = new RecordingPromoter();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true, image: "mysql:8.4"), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]);
        var c = await new RollPodsStep(f.Client, promoter).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.PodsUpToDate, false, "Switchover", "PRIMARY role handed to orders-1; orders-0 restarts once the move is seen"), c);
        Assert.Equal([("db/orders", "orders-1", "10.20.0.11")], promoter.Calls);
    }

    [Fact]
    public async Task A_pass_that_began_with_a_member_missing_or_unplaceable_does_not_roll()
    {
        using var f = new StepFixture();
        var step = new RollPodsStep(f.Client, NoPrimaryPromoter.Instance);
        var partial = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true), StepFixture.Pod(Spec, 1)]);
        Assert.Null(await step.RunAsync(partial, f.Pass(partial)));

        var whole = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]);
        var pass = f.Pass(whole);
        pass.Report(new Condition(Condition.Placed, false, "Unplaceable", "member orders-1 on node node-2: no segment"));
        Assert.Null(await step.RunAsync(whole, pass));
    }
}

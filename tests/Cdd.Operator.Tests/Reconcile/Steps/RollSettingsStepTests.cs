using System.Net;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class RollSettingsStepTests
{
    sealed class Recording(string? failFor = null) : IMemberSettings
    {
        public readonly List<string> Members = [];
        public string? Unavailable => null;

        public Task ApplyAsync(ClusterSpec spec, string member, IPAddress address, IReadOnlyList<(string Name, string Value)> settings, CancellationToken ct)
        {
            if (member == failFor) throw new MemberSettingsException($"{spec.Key} member {member} at {address}: connecting failed: refused");
            Members.Add(member);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Nothing_is_said_until_every_member_has_an_address()
    {
        using var f = new StepFixture();
        var spec = StepFixture.Spec();
        var snapshot = StepFixture.Snapshot(spec, [StepFixture.Pod(spec, 0)], addresses: new Dictionary<int, IPAddress> { [0] = IPAddress.Parse("10.20.0.10") });
        Assert.Null(await new RollSettingsStep(f.Client, new Recording()).RunAsync(snapshot, f.Pass(snapshot)));
    }

    [Fact]
    public async Task Without_a_settings_applier_the_condition_says_it_is_not_configured()
    {
        using var f = new StepFixture();
        var spec = StepFixture.Spec();
        var snapshot = StepFixture.Snapshot(spec, [StepFixture.Pod(spec, 0), StepFixture.Pod(spec, 1), StepFixture.Pod(spec, 2)]);
        var c = await new RollSettingsStep(f.Client, NoMemberSettings.Instance).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.SettingsApplied, false, Condition.NotConfigured, NoMemberSettings.Instance.Unavailable!), c);
    }

    [Fact]
    public async Task Members_made_with_the_current_settings_are_up_to_date()
    {
        using var f = new StepFixture();
        var spec = StepFixture.Spec();
        var settings = new Recording();
        var snapshot = StepFixture.Snapshot(spec, [StepFixture.Pod(spec, 0), StepFixture.Pod(spec, 1), StepFixture.Pod(spec, 2)]);
        var c = await new RollSettingsStep(f.Client, settings).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(new Condition(Condition.SettingsApplied, true, "UpToDate", "every running member has the current seeds and weight"), c);
        Assert.Empty(settings.Members);
    }

    [Fact]
    public async Task Changed_weights_go_to_the_secondaries_then_the_primary_and_stop_at_a_failure()
    {
        using var f = new StepFixture();
        var made = StepFixture.Spec();
        var spec = StepFixture.Spec(weights: [70, 60, 40]);
        var snapshot = StepFixture.Snapshot(spec, [StepFixture.Pod(made, 0, primary: true), StepFixture.Pod(made, 1), StepFixture.Pod(made, 2)]);
        f.Store(snapshot);
        var settings = new Recording(failFor: "orders-0");
        var c = await new RollSettingsStep(f.Client, settings).RunAsync(snapshot, f.Pass(snapshot));
        Assert.Equal(["orders-1", "orders-2"], settings.Members);
        Assert.Equal(new Condition(Condition.SettingsApplied, false, "ApplyFailed", "2 member(s) updated, then db/orders member orders-0 at 10.20.0.10: connecting failed: refused"), c);
        Assert.Contains("group_replication_member_weight=60", f.F.Pod("orders-1").Annotation(MemberNames.SettingsAnnotation));
    }
}

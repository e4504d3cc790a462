using System.Net;
using Cdd.Operator.Model;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile.Steps;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class TrackPrimaryStepTests
{
    static readonly ClusterSpec Spec = StepFixture.Spec();

    sealed class ReportingTracker : IPrimaryTracker
    {
        public int Tracked;

        public Task<Condition> TrackAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct)
        {
            Tracked++;
            return Task.FromResult(new Condition(Condition.PrimaryTracked, true, "Watching", $"{addresses.Count} member(s)"));
        }

        public IReadOnlyDictionary<string, string> States(ClusterSpec spec) => new Dictionary<string, string> { ["orders-0"] = "ONLINE" };

        public void Forget(string ns, string name) { }
    }

    [Fact]
    public async Task Members_are_tracked_and_the_next_steps_get_their_states()
    {
        using var f = new StepFixture();
        var tracker = new ReportingTracker();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0)]);
        var pass = f.Pass(snapshot);
        var c = await new TrackPrimaryStep(tracker).RunAsync(snapshot, pass);
        Assert.Equal(new Condition(Condition.PrimaryTracked, true, "Watching", "3 member(s)"), c);
        Assert.Equal("ONLINE", pass.Snapshot.States["orders-0"]);
    }

    [Fact]
    public async Task A_cluster_without_pods_is_not_tracked_yet()
    {
        using var f = new StepFixture();
        var tracker = new ReportingTracker();
        var snapshot = StepFixture.Snapshot(Spec, []);
        Assert.Null(await new TrackPrimaryStep(tracker).RunAsync(snapshot, f.Pass(snapshot)));
        Assert.Equal(0, tracker.Tracked);
    }

    [Fact]
    public async Task Without_a_tracker_the_condition_says_roles_are_not_read()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0)]);
        var pass = f.Pass(snapshot);
        var c = await new TrackPrimaryStep(NoPrimaryTracker.Instance).RunAsync(snapshot, pass);
        Assert.Equal((Condition.PrimaryTracked, false, Condition.NotConfigured), (c!.Type, c.Status, c.Reason));
        Assert.Empty(pass.Snapshot.States);
    }
}

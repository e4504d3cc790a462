using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;
using Cdd.Operator.Tests.Extender;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class WriteStatusStepTests
{
    static readonly ClusterSpec Spec = StepFixture.Spec();

    static JsonObject Stored(StepFixture f) => f.F.Cluster("orders")!["status"]!.AsObject();

    static StepFixture WithCluster()
    {
        var f = new StepFixture();
        f.F.CreateCluster("orders", 3);
        return f;
    }

    [Fact]
    public async Task All_members_running_is_ready_and_the_status_names_roles_nodes_and_states()
    {
        using var f = WithCluster();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, primary: true), StepFixture.Pod(Spec, 1), StepFixture.Pod(Spec, 2)]) with
        {
            States = new Dictionary<string, string> { ["orders-1"] = "RECOVERING", ["orders-2"] = "NOT-A-STATE" },
        };
        var pass = f.Pass(snapshot);
        pass.Report(new Condition(Condition.Placed, true, "Placed", "3 member(s) placed on distinct nodes"));
        var c = await new WriteStatusStep(new StatusWriter(new MySqlClusterApi(f.Client), TimeProvider.System)).RunAsync(snapshot, pass);
        Assert.Equal(new Condition(Condition.Ready, true, "AllMembersRunning", "3/3 members running"), c);
        var status = Stored(f);
        Assert.Equal("Running", status["phase"]!.GetValue<string>());
        Assert.Equal("node-1", status["primary"]!.GetValue<string>());
        var members = status["members"]!.AsArray();
        Assert.Equal("PRIMARY", members[0]!["role"]!.GetValue<string>());
        Assert.Equal("RECOVERING", members[1]!["state"]!.GetValue<string>());
        Assert.Null(members[2]!["state"]); // not a MEMBER_STATE the CRD accepts
        Assert.Equal(["Placed", "Ready"], status["conditions"]!.AsArray().Select(x => x!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_unplaceable_cluster_with_some_pods_is_degraded_and_without_any_pending()
    {
        using var f = WithCluster();
        var writer = new StatusWriter(new MySqlClusterApi(f.Client), TimeProvider.System);
        var unplaceable = new Condition(Condition.Placed, false, "Unplaceable", "2 eligible nodes for 3 members");
        var some = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0, running: false)]);
        var pass = f.Pass(some);
        pass.Report(unplaceable);
        Assert.Equal(new Condition(Condition.Ready, false, "MembersNotRunning", "0/3 members running"), await new WriteStatusStep(writer).RunAsync(some, pass));
        Assert.Equal("Degraded", Stored(f)["phase"]!.GetValue<string>());
        Assert.Equal("Creating", Stored(f)["members"]![0]!["phase"]!.GetValue<string>());

        var none = StepFixture.Snapshot(Spec, []);
        pass = f.Pass(none);
        pass.Report(unplaceable);
        await new WriteStatusStep(writer).RunAsync(none, pass);
        Assert.Equal("Pending", Stored(f)["phase"]!.GetValue<string>());
    }

    [Fact]
    public void A_condition_keeps_its_transition_time_until_its_status_changes()
    {
        using var f = new StepFixture();
        var clock = new ManualClock();
        var writer = new StatusWriter(new MySqlClusterApi(f.Client), clock);
        var cluster = StepFixture.Cluster(3);
        var ready = new Condition(Condition.Ready, false, "MembersNotRunning", "0/3 members running");
        cluster["status"] = writer.Build(cluster, "Creating", [], 0, null, [ready]);
        string first = cluster["status"]!["conditions"]![0]!["lastTransitionTime"]!.GetValue<string>();
        Assert.Equal("2026-01-01T00:00:00Z", first);

        clock.Advance(TimeSpan.FromMinutes(5));
        var same = writer.Build(cluster, "Creating", [], 1, null, [ready with { Message = "1/3 members running" }]);
        Assert.Equal(first, same["conditions"]![0]!["lastTransitionTime"]!.GetValue<string>());

        var changed = writer.Build(cluster, "Running", [], 3, null, [new Condition(Condition.Ready, true, "AllMembersRunning", "3/3 members running")]);
        Assert.Equal("2026-01-01T00:05:00Z", changed["conditions"]![0]!["lastTransitionTime"]!.GetValue<string>());
    }
}

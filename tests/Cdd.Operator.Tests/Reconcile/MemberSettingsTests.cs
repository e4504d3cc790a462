using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>
/// Seeds and member weights rolled out to running members: the reconciler against the in-process API server with a
/// recording <see cref="IMemberSettings"/> (MariaDB has no SET PERSIST and no group_replication variables, so the SQL
/// side is checked for the statements it sends and the variables it refuses).
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class MemberSettingsTests
{
    static readonly CancellationToken Ct = CancellationToken.None;

    sealed class RecordingSettings : IMemberSettings
    {
        public readonly List<(string Member, string Address, string Settings)> Calls = [];
        public string? FailFor { get; set; }
        public string? Unavailable => null;

        public Task ApplyAsync(ClusterSpec spec, string member, IPAddress address, IReadOnlyList<(string Name, string Value)> settings, CancellationToken ct)
        {
            if (member == FailFor) throw new MemberSettingsException($"{spec.Key} member {member} at {address}: connecting failed: refused");
            Calls.Add((member, address.ToString(), MgrSettings.Text(settings)));
            return Task.CompletedTask;
        }
    }

    static (ReconcileFixture F, RecordingSettings Settings, MySqlClusterReconciler R) Start(int members)
    {
        var f = new ReconcileFixture();
        for (int i = 1; i <= 6; i++) f.AddNode($"node-{i}", zone: $"z{(i - 1) % 3 + 1}");
        f.CreateCluster("orders", members);
        var settings = new RecordingSettings();
        return (f, settings, f.NewReconciler(settings: settings));
    }

    /// <summary>A cluster placed, every member running, orders-0 the primary.</summary>
    static async Task<(ReconcileFixture F, RecordingSettings Settings, MySqlClusterReconciler R)> RunningAsync(int members)
    {
        var (f, settings, r) = Start(members);
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        foreach (var p in f.Pods()) f.MarkRunning(p.Name());
        f.LabelPrimary("orders-0");
        return (f, settings, r);
    }

    static JsonObject Condition(ReconcileFixture f) =>
        f.Cluster("orders")!["status"]!["conditions"]!.AsArray().OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == "SettingsApplied");

    static string Seeds(ReconcileFixture f, int members) =>
        "group_replication_group_seeds=" + string.Join(',', Enumerable.Range(0, members).Select(k => f.BoundAddress($"orders-{k}") + ":33061"));

    [Fact]
    public async Task After_scaling_up_the_running_members_get_the_new_seeds_secondaries_first_and_the_primary_last()
    {
        var (f, settings, r) = await RunningAsync(3);
        using var _ = f;
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        Assert.Empty(settings.Calls); // made with what they run: nothing to apply
        Assert.Equal("UpToDate", Condition(f)["reason"]!.GetValue<string>());

        f.SetMembers("orders", 5);
        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));

        Assert.Equal(["orders-1", "orders-2", "orders-0"], settings.Calls.Select(c => c.Member));
        string expected = Seeds(f, 5) + ";group_replication_member_weight=50";
        Assert.All(settings.Calls, c => Assert.Equal(expected, c.Settings));
        Assert.All(settings.Calls, c => Assert.Equal(f.BoundAddress(c.Member), c.Address));
        Assert.All(f.Pods(), p => Assert.Equal(expected, p.Annotation(MemberNames.SettingsAnnotation)));

        settings.Calls.Clear();
        foreach (var p in f.Pods()) f.MarkRunning(p.Name());
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        Assert.Empty(settings.Calls); // applied once; the new members were made with the five seeds
    }

    [Fact]
    public async Task An_edited_weight_reaches_the_running_members_and_a_failing_member_stops_the_roll_until_it_answers()
    {
        var (f, settings, r) = await RunningAsync(3);
        using var _ = f;
        var c = f.Cluster("orders")!;
        c["spec"]!["mysql"]!["memberWeights"] = new JsonArray(80, 60, 40);
        f.Server.Store.Update(ReconcileFixture.ClusterRoute("orders"), c);

        settings.FailFor = "orders-1";
        Assert.Equal(ReconcileOutcome.Requeue, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Empty(settings.Calls);
        var failed = Condition(f);
        Assert.Equal("False", failed["status"]!.GetValue<string>());
        Assert.Contains("member orders-1", failed["message"]!.GetValue<string>());

        settings.FailFor = null;
        Assert.Equal(ReconcileOutcome.Converged, await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct));
        Assert.Equal(["orders-1", "orders-2", "orders-0"], settings.Calls.Select(x => x.Member));
        Assert.EndsWith("group_replication_member_weight=60", settings.Calls[0].Settings);
        Assert.EndsWith("group_replication_member_weight=40", settings.Calls[1].Settings);
        Assert.EndsWith("group_replication_member_weight=80", settings.Calls[2].Settings);
        Assert.Equal("Applied", Condition(f)["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_member_not_running_yet_gets_nothing_until_it_runs()
    {
        var (f, settings, r) = Start(3);
        using var _ = f;
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        var c = f.Cluster("orders")!;
        c["spec"]!["mysql"]!["memberWeights"] = new JsonArray(70);
        f.Server.Store.Update(ReconcileFixture.ClusterRoute("orders"), c);

        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        Assert.Empty(settings.Calls);
        f.MarkRunning("orders-0");
        await r.ReconcileAsync(ReconcileFixture.Ns, "orders", Ct);
        Assert.Equal("orders-0", Assert.Single(settings.Calls).Member);
    }

    [Fact]
    public void Only_the_seeds_and_the_weight_are_set_on_a_running_server_and_the_value_is_a_parameter()
    {
        Assert.Equal("SET PERSIST group_replication_group_seeds = @value", MySqlMemberSettings.Statement("group_replication_group_seeds"));
        Assert.Equal("SET PERSIST group_replication_member_weight = @value", MySqlMemberSettings.Statement("group_replication_member_weight"));
        Assert.Throws<ArgumentException>(() => MySqlMemberSettings.Statement("super_read_only"));
        Assert.Throws<ArgumentException>(() => MySqlMemberSettings.Statement("group_replication_group_seeds = 'x'; DROP DATABASE mysql; --"));
    }
}

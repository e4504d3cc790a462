using Cdd.Operator.Primary;

namespace Cdd.Operator.Tests.Primary;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PrimaryMappingTests
{
    static readonly MemberIdentity[] Members = [new("db-0", "10.0.0.10"), new("db-1", "10.0.1.11"), new("db-2", null)];

    static GroupMemberRow Row(string host, string state, string role) => new(host, state, role);

    [Fact]
    public void The_online_primary_maps_by_fixed_ip_or_pod_name()
    {
        Assert.Equal(PrimaryObservation.Of("db-1") with { States = "db-0=ONLINE,db-1=ONLINE" },
            PrimaryMapping.Decide([Row("10.0.0.10", "ONLINE", "SECONDARY"), Row("10.0.1.11", "ONLINE", "PRIMARY")], Members));
        Assert.Equal(PrimaryObservation.Of("db-2") with { States = "db-2=ONLINE" }, PrimaryMapping.Decide([Row("DB-2", "ONLINE", "PRIMARY")], Members));
        Assert.Equal(PrimaryObservation.Of("db-2") with { States = "db-2=ONLINE" }, PrimaryMapping.Decide([Row("db-2.db.ns.svc.cluster.local.", "online", "primary")], Members));
    }

    [Theory]
    [InlineData("ERROR")]
    [InlineData("OFFLINE")]
    [InlineData("RECOVERING")]
    [InlineData("UNREACHABLE")]
    public void A_primary_row_that_is_not_online_is_not_chosen(string state)
    {
        var o = PrimaryMapping.Decide([Row("10.0.0.10", state, "PRIMARY"), Row("10.0.1.11", "ONLINE", "SECONDARY")], Members);
        Assert.Equal(PrimaryStatus.NoPrimary, o.Status);
        Assert.Null(o.Member);
    }

    [Theory]
    [InlineData("OFFLINE", false)]
    [InlineData("ERROR", false)]
    [InlineData("UNREACHABLE", false)]
    [InlineData("ONLINE", true)]
    [InlineData("RECOVERING", true)]
    public void Only_an_answer_with_a_member_online_or_recovering_is_a_groups_view(string state, bool view)
    {
        Assert.Equal(view, PrimaryMapping.IsGroupView([Row("10.0.0.10", state, "SECONDARY")]));
        Assert.False(PrimaryMapping.IsGroupView([]));
    }

    [Fact]
    public void A_member_outside_the_group_adds_its_state_and_last_error_to_the_groups_view_but_never_the_primary()
    {
        GroupMemberRow[] view = [Row("10.0.1.11", "ONLINE", "PRIMARY"), Row("db-2", "ONLINE", "SECONDARY")];
        GroupMemberRow[] outsiders = [Row("10.0.0.10", "ERROR", "") with { LastError = "MY-011452: applier failed" }, Row("10.0.1.11", "OFFLINE", "")];
        var rows = PrimaryMapping.WithOutsiders(view, outsiders);
        var o = PrimaryMapping.Decide(rows, Members);
        Assert.Equal(PrimaryObservation.Of("db-1") with { States = "db-0=ERROR,db-1=ONLINE,db-2=ONLINE" }, o);
        var health = PrimaryMapping.Health(rows, Members);
        Assert.Equal("MY-011452: applier failed", health["db-0"].LastError);
        Assert.Null(health["db-1"].LastError);
    }

    [Fact]
    public void No_rows_two_primaries_and_an_unknown_host_are_not_guessed()
    {
        Assert.Equal(PrimaryStatus.NoPrimary, PrimaryMapping.Decide([], Members).Status);
        Assert.Equal(PrimaryStatus.NoPrimary, PrimaryMapping.Decide([Row("10.0.0.10", "ONLINE", "PRIMARY"), Row("10.0.1.11", "ONLINE", "PRIMARY")], Members).Status);
        var o = PrimaryMapping.Decide([Row("10.9.9.9", "ONLINE", "PRIMARY")], Members);
        Assert.Equal(PrimaryStatus.Unmapped, o.Status);
        Assert.Contains("10.9.9.9", o.Reason);
    }

    [Fact]
    public void Every_member_s_state_is_reported_and_a_state_change_is_a_new_observation()
    {
        var before = PrimaryMapping.Decide([Row("10.0.0.10", "ONLINE", "PRIMARY"), Row("10.0.1.11", "ONLINE", "SECONDARY"), Row("10.9.9.9", "ONLINE", "SECONDARY")], Members);
        var after = PrimaryMapping.Decide([Row("10.0.0.10", "ONLINE", "PRIMARY"), Row("10.0.1.11", "recovering", "SECONDARY")], Members);

        Assert.Equal("db-0=ONLINE,db-1=ONLINE", before.States); // an unknown host is left out
        Assert.Equal(new Dictionary<string, string> { ["db-0"] = "ONLINE", ["db-1"] = "RECOVERING" }, after.StateByMember());
        Assert.Equal(before.Member, after.Member);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void The_schema_is_quoted_as_an_identifier()
    {
        Assert.Equal("SELECT m.MEMBER_ID, m.MEMBER_HOST, m.MEMBER_STATE, m.MEMBER_ROLE, m.MEMBER_VERSION, st.COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE "
            + "FROM `performance_schema`.replication_group_members m LEFT JOIN `performance_schema`.replication_group_member_stats st ON st.MEMBER_ID = m.MEMBER_ID",
            GroupMembersReader.Query("performance_schema"));
        Assert.Contains("`a``b`.", GroupMembersReader.Query("a`b"));
    }
}

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class RoleLabelsTests
{
    [Fact]
    public void Known_labels_the_primary_and_unlabels_the_old_one_first()
    {
        var changes = RoleLabels.Decide(PrimaryObservation.Of("db-2"), [("db-0", "primary"), ("db-1", null), ("db-2", null)]);
        Assert.Equal([new RoleLabelChange("db-0", null), new RoleLabelChange("db-2", "primary")], changes);
    }

    [Fact]
    public void Pods_already_right_give_no_change()
    {
        Assert.Empty(RoleLabels.Decide(PrimaryObservation.Of("db-0"), [("db-0", "primary"), ("db-1", null)]));
    }

    [Fact]
    public void No_primary_removes_every_label_and_unknown_or_unmapped_change_nothing()
    {
        Assert.Equal([new RoleLabelChange("db-0", null)], RoleLabels.Decide(PrimaryObservation.None("election"), [("db-0", "primary"), ("db-1", null)]));
        Assert.Empty(RoleLabels.Decide(PrimaryObservation.Unreachable("down"), [("db-0", "primary"), ("db-1", null)]));
        Assert.Empty(RoleLabels.Decide(PrimaryObservation.UnmappedHost("10.9.9.9"), [("db-0", "primary"), ("db-1", null)]));
    }
}

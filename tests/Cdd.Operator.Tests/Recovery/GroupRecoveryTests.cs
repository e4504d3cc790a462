using Cdd.Operator.Recovery;

namespace Cdd.Operator.Tests.Recovery;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class GtidSetTests
{
    const string A = "3e11fa47-71ca-11e1-9e33-c80aa9429562", B = "8bf08597-ee4d-11f1-b67f-02fc00000001";

    [Fact]
    public void A_set_contains_its_subsets_and_not_its_supersets()
    {
        var big = GtidSet.Parse($"{A}:1-10:15-20,\n{B}:1-3");
        Assert.True(big.Contains(GtidSet.Parse($"{A}:2-9:16")));
        Assert.True(big.Contains(GtidSet.Parse($"{B}:3")));
        Assert.True(big.Contains(GtidSet.Empty));
        Assert.False(big.Contains(GtidSet.Parse($"{A}:11")));
        Assert.False(big.Contains(GtidSet.Parse($"{A}:9-16")));
        Assert.False(GtidSet.Parse($"{A}:1-10").Contains(big));
    }

    [Fact]
    public void Adjacent_intervals_merge_and_union_holds_both()
    {
        var u = GtidSet.Parse($"{A}:1-5").Union(GtidSet.Parse($"{A}:6-8,{B}:1"));
        Assert.Equal($"{A}:1-8,{B}:1", u.ToString());
        Assert.Equal(9, u.Count);
        Assert.True(u.HasSource(B.ToUpperInvariant()));
    }

    [Fact]
    public void Tagged_gtids_are_their_own_source()
    {
        var s = GtidSet.Parse($"{A}:1-5:tag1:1-2");
        Assert.True(s.Contains(GtidSet.Parse($"{A}:tag1:2")));
        Assert.False(s.Contains(GtidSet.Parse($"{A}:tag1:3")));
        Assert.True(s.HasSource(A));
    }

    [Theory]
    [InlineData("nonsense:1-2")]
    [InlineData("3e11fa47-71ca-11e1-9e33-c80aa9429562:0-2")]
    [InlineData("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-2")]
    [InlineData("3e11fa47-71ca-11e1-9e33-c80aa9429562")]
    public void Malformed_sets_are_refused(string text) => Assert.Throws<FormatException>(() => GtidSet.Parse(text));
}

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class GroupRecoveryTests
{
    const string Group = "5c9f2d4e-0000-4000-8000-000000000001", Local = "8bf08597-ee4d-11f1-b67f-02fc00000001";

    static MemberFacts Offline(string pod, string set) => new(pod, true, "OFFLINE", 0, 1, GtidSet.Parse(set));

    [Fact]
    public void A_complete_outage_is_rebooted_from_the_member_whose_transactions_contain_all_others()
    {
        var d = GroupRecovery.Decide([Offline("db-0", $"{Group}:1-40"), Offline("db-1", $"{Group}:1-52"), Offline("db-2", $"{Group}:1-50")], Group, null);
        Assert.Equal((RecoveryAction.Reboot, "db-1"), (d.Action, d.Member));
    }

    [Fact]
    public void Equal_sets_pick_the_lowest_ordinal_so_every_operator_instance_picks_the_same()
    {
        var d = GroupRecovery.Decide([Offline("db-0", $"{Group}:1-5"), Offline("db-1", $"{Group}:1-5"), Offline("db-2", $"{Group}:1-4")], Group, null);
        Assert.Equal("db-0", d.Member);
    }

    [Fact]
    public void Diverged_sets_are_refused_naming_every_set()
    {
        var d = GroupRecovery.Decide([Offline("db-0", $"{Group}:1-50,{Local}:1"), Offline("db-1", $"{Group}:1-52"), Offline("db-2", $"{Group}:1-50")], Group, null);
        Assert.Equal(RecoveryAction.Refuse, d.Action);
        Assert.Null(d.Member);
        Assert.Contains($"db-0: {Group}:1-50,{Local}:1", d.Message);
        Assert.Contains($"db-1: {Group}:1-52", d.Message);
    }

    [Fact]
    public void A_silent_member_makes_the_operator_wait_because_it_may_hold_more()
    {
        var d = GroupRecovery.Decide([Offline("db-0", $"{Group}:1-50"), new("db-1", false, "", 0, 0, GtidSet.Empty, "connection refused"), Offline("db-2", $"{Group}:1-50")], Group, null);
        Assert.Equal(RecoveryAction.Wait, d.Action);
        Assert.Contains("db-1 (connection refused)", d.Message);
    }

    [Fact]
    public void A_new_group_whose_members_hold_no_group_transaction_is_left_to_its_entrypoint()
    {
        var d = GroupRecovery.Decide([Offline("db-0", ""), Offline("db-1", $"{Local}:1-3"), Offline("db-2", "")], Group, null);
        Assert.Equal(RecoveryAction.None, d.Action);
    }

    [Fact]
    public void A_majority_online_needs_nothing()
    {
        var d = GroupRecovery.Decide([new("db-0", true, "ONLINE", 2, 3, GtidSet.Empty), new("db-1", false, "", 0, 0, GtidSet.Empty), new("db-2", true, "ONLINE", 2, 3, GtidSet.Empty)], Group, null);
        Assert.Equal(RecoveryAction.None, d.Action);
    }

    [Fact]
    public void A_lost_quorum_is_never_forced_without_the_annotation_and_only_from_an_online_member()
    {
        MemberFacts[] facts = [new("db-0", true, "ONLINE", 1, 3, GtidSet.Empty), new("db-1", false, "", 0, 0, GtidSet.Empty), new("db-2", false, "", 0, 0, GtidSet.Empty)];
        var lost = GroupRecovery.Decide(facts, Group, null);
        Assert.Equal(RecoveryAction.QuorumLost, lost.Action);
        Assert.Contains(GroupRecovery.ForceQuorumAnnotation, lost.Message);
        Assert.Contains("db-0", lost.Message);
        Assert.Equal(RecoveryAction.QuorumLost, GroupRecovery.Decide(facts, Group, "db-1").Action);
        var force = GroupRecovery.Decide(facts, Group, "db-0");
        Assert.Equal((RecoveryAction.ForceQuorum, "db-0"), (force.Action, force.Member));
    }
}

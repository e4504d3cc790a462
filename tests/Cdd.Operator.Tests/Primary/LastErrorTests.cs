using Cdd.Operator.Primary;

namespace Cdd.Operator.Tests.Primary;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class LastErrorTests
{
    static readonly DateTime T = new(2026, 12, 2, 15, 57, 15, DateTimeKind.Utc);

    [Fact]
    public void The_last_failure_is_its_errors_oldest_first_so_the_cause_leads()
    {
        (DateTime, string)[] newestFirst =
        [
            (T.AddMilliseconds(3), "MY-013486: The server was automatically set into offline mode after an error was detected."),
            (T.AddMilliseconds(1), "MY-011452: Fatal error during execution on the Applier process of Group Replication."),
            (T, "MY-010584: Replica SQL for channel 'group_replication_applier': Duplicate entry '1' for key 't.PRIMARY'"),
            (T.AddMinutes(-5), "MY-011526: an earlier failure, already repaired"),
        ];
        Assert.Equal("MY-010584: Replica SQL for channel 'group_replication_applier': Duplicate entry '1' for key 't.PRIMARY'; " +
                     "MY-011452: Fatal error during execution on the Applier process of Group Replication.; " +
                     "MY-013486: The server was automatically set into offline mode after an error was detected.",
            GroupMembersReader.LastFailure(newestFirst));
    }

    [Fact]
    public void No_error_is_null_and_a_long_failure_is_cut_keeping_its_cause()
    {
        Assert.Null(GroupMembersReader.LastFailure([]));
        var text = GroupMembersReader.LastFailure([(T, "MY-000002: " + new string('b', 2000)), (T, "MY-000001: the cause")])!;
        Assert.Equal(GroupMembersReader.LastErrorLength, text.Length);
        Assert.StartsWith("MY-000001: the cause; MY-000002: bbb", text);
        Assert.EndsWith("…", text);
    }
}

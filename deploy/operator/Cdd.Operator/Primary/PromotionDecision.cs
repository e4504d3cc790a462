namespace Cdd.Operator.Primary;

/// <summary>What one member's view of the group says to do about a promotion.</summary>
internal enum PromotionAction
{
    /// <summary>Call <c>group_replication_set_as_primary(MemberId)</c>.</summary>
    Promote,
    /// <summary>The target is already the ONLINE primary: nothing to do.</summary>
    AlreadyPrimary,
    /// <summary>The group answered and the promotion must not happen (<see cref="PromotionDecision.Refusal"/> says why).</summary>
    Refuse,
    /// <summary>This member's view cannot decide (it is out of the group, or cannot see the target): ask the next one.</summary>
    AskAnother,
}

internal sealed record PromotionDecision(PromotionAction Action, string MemberId, PromotionFailure? Refusal, string Reason)
{
    /// <summary>
    /// Pure: the decision from one member's rows of replication_group_members for the target whose MEMBER_HOST is
    /// <paramref name="memberHost"/> (matched by <see cref="PrimaryMapping.RowsFor"/>). A view with no ONLINE member comes
    /// from a member that has left the group (it lists only itself, ERROR or OFFLINE), and UNREACHABLE is how one side
    /// of a partition sees the other: both are that member's problem, so another member is asked. RECOVERING, ERROR,
    /// OFFLINE targets are refused: MGR would refuse them too, and a member still catching up must not take writes.
    /// </summary>
    public static PromotionDecision Decide(IReadOnlyList<GroupMemberRow> rows, string memberHost)
    {
        if (rows.Count == 0)
            return Ask("replication_group_members is empty (this member is not in a group)");
        if (!rows.Any(r => PrimaryMapping.Is(r.State, "ONLINE")))
            return Ask($"no member is ONLINE in this member's view ({Describe(rows)}): it is out of the group");
        var matches = PrimaryMapping.RowsFor(rows, memberHost);
        if (matches.Count == 0)
            return Refuse(PromotionFailure.UnknownHost, $"no member of the group reports MEMBER_HOST {memberHost} ({Describe(rows)})");
        if (matches.Count > 1)
            return Refuse(PromotionFailure.AmbiguousHost, $"{matches.Count} members match MEMBER_HOST {memberHost} ({Describe(matches)})");
        var target = matches[0];
        if (PrimaryMapping.Is(target.State, "UNREACHABLE"))
            return Ask($"this member sees the target UNREACHABLE ({Describe(rows)})");
        if (!PrimaryMapping.Is(target.State, "ONLINE"))
            return Refuse(PromotionFailure.NotOnline, $"the target is in state {target.State.Trim()}, not ONLINE");
        if (PrimaryMapping.Is(target.Role, "PRIMARY"))
            return new(PromotionAction.AlreadyPrimary, target.Id, null, "the target is already the ONLINE primary");
        if (string.IsNullOrWhiteSpace(target.Id))
            return Refuse(PromotionFailure.UnknownHost, "the target's row has no MEMBER_ID");
        return new(PromotionAction.Promote, target.Id.Trim(), null, $"the target is ONLINE {target.Role.Trim()} with MEMBER_ID {target.Id.Trim()}");
    }

    static PromotionDecision Ask(string reason) => new(PromotionAction.AskAnother, "", null, reason);
    static PromotionDecision Refuse(PromotionFailure failure, string reason) => new(PromotionAction.Refuse, "", failure, reason);
    static string Describe(IEnumerable<GroupMemberRow> rows) => string.Join(", ", rows.Select(r => $"{r.Host.Trim()} {r.State.Trim()} {r.Role.Trim()}"));
}

namespace Cdd.Operator.Recovery;

/// <summary>What one member says about itself when the operator checks whether the group is up.</summary>
/// <param name="Pod">The member's pod name.</param>
/// <param name="Answered">Whether its server could be asked at all.</param>
/// <param name="State">Its own MEMBER_STATE (OFFLINE when Group Replication is stopped; ERROR; ONLINE ...).</param>
/// <param name="Online">How many members its view shows ONLINE, and <paramref name="Viewed"/> how many it lists.</param>
/// <param name="Transactions">gtid_executed plus what its group_replication_applier channel received (the set MGR itself compares).</param>
internal sealed record MemberFacts(string Pod, bool Answered, string State, int Online, int Viewed, GtidSet Transactions, string Error = "");

internal enum RecoveryAction
{
    /// <summary>The group is up with a majority (or nothing was ever committed through it): nothing to do.</summary>
    None,
    /// <summary>Not every member answered while none is ONLINE: a silent member may hold more; wait.</summary>
    Wait,
    /// <summary>Every member answered, none is ONLINE: bootstrap from <see cref="RecoveryDecision.Member"/>, the others join.</summary>
    Reboot,
    /// <summary>Every member answered, none is ONLINE, and no member's transactions contain all others': refuse.</summary>
    Refuse,
    /// <summary>An ONLINE member sees no majority: blocked until a person names the member to force the group from.</summary>
    QuorumLost,
    /// <summary>Quorum lost and the annotation names an ONLINE member: force the group to the members that member sees ONLINE.</summary>
    ForceQuorum,
}

internal sealed record RecoveryDecision(RecoveryAction Action, string? Member, string Message);

/// <summary>
/// Pure: what the operator does about a group none of whose members is ONLINE with a majority. MGR does not restart a
/// group by itself after a complete outage, and it never unblocks a minority. A complete outage is acted on only when
/// every member answers and at least one holds a transaction of the group (its group name's uuid in its set), so a new
/// cluster whose members are still being bootstrapped by their entrypoint is left alone. The member to bootstrap from
/// is the one whose transactions contain every other member's (the lowest ordinal when several do, so every
/// operator instance picks the same one); when none does, nothing is done and the sets are named. A lost quorum is
/// never forced automatically: only the annotation <see cref="ForceQuorumAnnotation"/> naming a member ONLINE in the
/// minority does it, and only to the members that member sees ONLINE.
/// </summary>
internal static class GroupRecovery
{
    /// <summary>On the MySQLCluster: the pod whose view of the group is forced as the new membership after a quorum loss.</summary>
    public const string ForceQuorumAnnotation = "cdd.io/force-quorum-from";

    public static RecoveryDecision Decide(IReadOnlyList<MemberFacts> members, string groupName, string? forceFrom)
    {
        var online = members.Where(m => m.Answered && m.State == "ONLINE").ToList();
        if (online.Count > 0)
        {
            var best = online.OrderByDescending(m => m.Online).First();
            if (best.Online * 2 > best.Viewed) return new(RecoveryAction.None, null, $"{best.Pod} sees {best.Online} of {best.Viewed} members ONLINE");
            string lost = $"quorum lost: {best.Pod} sees {best.Online} of {best.Viewed} members ONLINE; the group is blocked";
            if (forceFrom is null)
                return new(RecoveryAction.QuorumLost, null,
                    $"{lost}. MGR does not unblock a minority and the operator will not guess: if the missing members are gone for good, annotate the MySQLCluster {ForceQuorumAnnotation}=<pod> with an ONLINE member ({string.Join(", ", online.Select(m => m.Pod))})");
            var chosen = online.FirstOrDefault(m => m.Pod == forceFrom);
            return chosen is null
                ? new(RecoveryAction.QuorumLost, null, $"{lost}; {ForceQuorumAnnotation}={forceFrom} names no ONLINE member ({string.Join(", ", online.Select(m => m.Pod))} are)")
                : new(RecoveryAction.ForceQuorum, chosen.Pod, $"{lost}; forcing the group to the members {chosen.Pod} sees ONLINE, as {ForceQuorumAnnotation} asks");
        }
        if (!members.Any(m => m.Answered && m.Transactions.HasSource(groupName)))
            return new(RecoveryAction.None, null, "no member holds a transaction of the group yet (a new group is being bootstrapped)");
        var silent = members.Where(m => !m.Answered).ToList();
        if (silent.Count > 0)
            return new(RecoveryAction.Wait, null,
                $"no member is ONLINE; waiting for {string.Join(", ", silent.Select(m => $"{m.Pod} ({m.Error})"))} to answer before choosing the member to bootstrap from");
        var most = members.Where(m => members.All(o => m.Transactions.Contains(o.Transactions))).Select(m => m.Pod).FirstOrDefault();
        if (most is null)
            return new(RecoveryAction.Refuse, null,
                $"complete outage, and no member's transactions contain all the others' (the sets diverged; a person must decide which to keep): {string.Join("; ", members.Select(m => $"{m.Pod}: {m.Transactions}"))}");
        return new(RecoveryAction.Reboot, most,
            $"complete outage: bootstrapping from {most}, whose transactions ({members.First(m => m.Pod == most).Transactions}) contain every other member's");
    }
}

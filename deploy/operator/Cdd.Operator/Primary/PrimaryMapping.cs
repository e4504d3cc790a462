namespace Cdd.Operator.Primary;

/// <summary>Pure: which member is the primary, from the rows of replication_group_members and the cluster's members.</summary>
internal static class PrimaryMapping
{
    /// <summary>
    /// The ONLINE row whose MEMBER_ROLE is PRIMARY, mapped to the member whose fixed IP or pod name equals its MEMBER_HOST
    /// (report_host is set to the fixed IP; a pod name works too; names compare case-insensitively, a trailing dot or a
    /// domain after the pod name is ignored). Rows in any other state (ERROR, OFFLINE, RECOVERING, UNREACHABLE) are never
    /// chosen. Two ONLINE primaries (impossible in single-primary mode) give NoPrimary rather than a guess.
    /// </summary>
    public static PrimaryObservation Decide(IReadOnlyList<GroupMemberRow> rows, IReadOnlyList<MemberIdentity> members) =>
        DecidePrimary(rows, members) with { States = States(rows, members) };

    /// <summary>Each mapped member's version, applier queue and (in ERROR) last error; rows of unknown hosts are left out.</summary>
    public static IReadOnlyDictionary<string, MemberHealth> Health(IReadOnlyList<GroupMemberRow> rows, IReadOnlyList<MemberIdentity> members)
    {
        var health = new Dictionary<string, MemberHealth>(StringComparer.Ordinal);
        foreach (var r in rows)
            if (Match(r.Host.Trim(), members) is { } m) health[m.PodName] = new MemberHealth(r.Version.Trim(), r.ApplierQueue, r.LastError);
        return health;
    }

    /// <summary>
    /// Whether <paramref name="rows"/> are a group's view: some row ONLINE or RECOVERING. A member outside any group
    /// (OFFLINE after STOP GROUP_REPLICATION or before it joined, ERROR after it left) lists only itself, in that state:
    /// its answer says nothing of the group's primary, only of its own state.
    /// </summary>
    public static bool IsGroupView(IReadOnlyList<GroupMemberRow> rows) =>
        rows.Any(r => Is(r.State, "ONLINE") || Is(r.State, "RECOVERING"));

    /// <summary>
    /// The group's view with the rows of members outside it added (each member's own answer), for the members the
    /// view does not list (a member in ERROR has left the view): their state and last error reach the status.
    /// </summary>
    public static IReadOnlyList<GroupMemberRow> WithOutsiders(IReadOnlyList<GroupMemberRow> view, IReadOnlyList<GroupMemberRow> outsiders)
    {
        var hosts = view.Select(r => r.Host.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. view, .. outsiders.Where(o => !hosts.Contains(o.Host.Trim()))];
    }

    /// <summary>The members' MEMBER_STATE (upper case), mapped like the primary; rows of unknown hosts are left out.</summary>
    static string States(IReadOnlyList<GroupMemberRow> rows, IReadOnlyList<MemberIdentity> members)
    {
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in rows)
            if (Match(r.Host.Trim(), members) is { } m) states[m.PodName] = r.State.Trim().ToUpperInvariant();
        return string.Join(',', states.Select(kv => $"{kv.Key}={kv.Value}"));
    }

    static PrimaryObservation DecidePrimary(IReadOnlyList<GroupMemberRow> rows, IReadOnlyList<MemberIdentity> members)
    {
        var primaries = rows.Where(r => Is(r.Role, "PRIMARY") && Is(r.State, "ONLINE")).ToList();
        if (primaries.Count == 0)
            return PrimaryObservation.None(rows.Count == 0 ? "replication_group_members is empty" : "no ONLINE member has MEMBER_ROLE PRIMARY");
        if (primaries.Count > 1)
            return PrimaryObservation.None($"{primaries.Count} ONLINE members report PRIMARY ({string.Join(", ", primaries.Select(p => p.Host))})");
        var host = primaries[0].Host.Trim();
        var member = Match(host, members);
        return member is null ? PrimaryObservation.UnmappedHost(host) : PrimaryObservation.Of(member.PodName);
    }

    static MemberIdentity? Match(string host, IReadOnlyList<MemberIdentity> members) =>
        members.FirstOrDefault(m => m.FixedIp is not null && SameIp(m.FixedIp, host))
        ?? members.FirstOrDefault(m => SameName(host, m.PodName))
        ?? members.FirstOrDefault(m => SameShortName(host, m.PodName));

    /// <summary>
    /// The rows whose MEMBER_HOST names <paramref name="host"/> under the rules of <see cref="Decide"/>: equal IPs or
    /// equal names (case-insensitive, trailing dot ignored) first; only when none is, the rows whose MEMBER_HOST's first
    /// label equals it. More than one row means the host is ambiguous.
    /// </summary>
    public static IReadOnlyList<GroupMemberRow> RowsFor(IReadOnlyList<GroupMemberRow> rows, string host)
    {
        host = host.Trim();
        var exact = rows.Where(r => SameIp(host, r.Host.Trim()) || SameName(r.Host.Trim(), host)).ToList();
        return exact.Count > 0 ? exact : rows.Where(r => SameShortName(r.Host.Trim(), host)).ToList();
    }

    static bool SameName(string reported, string name) => string.Equals(reported.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase);

    static bool SameShortName(string reported, string name)
    {
        int dot = reported.IndexOf('.');
        return dot > 0 && string.Equals(reported[..dot], name, StringComparison.OrdinalIgnoreCase);
    }

    static bool SameIp(string a, string b) =>
        System.Net.IPAddress.TryParse(a, out var x) && System.Net.IPAddress.TryParse(b, out var y) ? x.Equals(y) : string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    internal static bool Is(string value, string expected) => string.Equals(value?.Trim(), expected, StringComparison.OrdinalIgnoreCase);
}

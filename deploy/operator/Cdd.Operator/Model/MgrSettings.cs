using System.Net;

namespace Cdd.Operator.Model;

/// <summary>
/// The MGR settings of a member, as its pod is made with them (<c>--loose-…</c> args and <c>MGR_…</c> env) and as the
/// two dynamic ones are kept converged on a running member; <see cref="Text"/> is the form of the
/// <see cref="MemberNames.SettingsAnnotation"/> that records what a member runs with.
/// </summary>
internal static class MgrSettings
{
    /// <summary>
    /// The MGR settings of member <paramref name="ordinal"/>: report_host and the local address are its fixed address,
    /// the seeds the group addresses of all <see cref="ClusterSpec.Members"/> members (every one must be bound). The
    /// allowlist, when the pool is known, is its segments' subnets (the members' addresses come from them); else MGR's
    /// AUTOMATIC. The member weight (MGR's choice of the next primary) when the spec sets one.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> Of(ClusterSpec c, int ordinal, IReadOnlyDictionary<int, IPAddress> addresses, string? allowlist = null)
    {
        IPAddress At(int i) => addresses.TryGetValue(i, out var ip) ? ip
            : throw new InvalidOperationException($"member {MemberNames.PodName(c.Name, i)} has no bound address");
        return
        [
            ("server_id", (ordinal + 1).ToString()),
            ("report_host", At(ordinal).ToString()),
            ("group_replication_group_name", c.Uid),
            ("group_replication_group_seeds", string.Join(',', Enumerable.Range(0, c.Members).Select(i => MemberNames.Endpoint(At(i), MemberNames.GroupPort)))),
            ("group_replication_local_address", MemberNames.Endpoint(At(ordinal), MemberNames.GroupPort)),
            ("group_replication_single_primary_mode", "ON"),
            ("group_replication_start_on_boot", "ON"),
            .. (allowlist is null ? Array.Empty<(string, string)>() : [("group_replication_ip_allowlist", allowlist)]),
            .. (c.Weight(ordinal) is { } w ? [("group_replication_member_weight", w.ToString())] : Array.Empty<(string, string)>()),
        ];
    }

    /// <summary>
    /// The settings the reconciler keeps converged on a running member (the reconciler's settings step): the seeds of all
    /// members and the member weight (MGR's default 50 when the spec gives none, so removing a weight resets it).
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> Dynamic(ClusterSpec c, int ordinal, IReadOnlyDictionary<int, IPAddress> addresses)
    {
        var all = Of(c, ordinal, addresses);
        return
        [
            all.Single(s => s.Name == "group_replication_group_seeds"),
            ("group_replication_member_weight", (c.Weight(ordinal) ?? 50).ToString()),
        ];
    }

    public static string Text(IReadOnlyList<(string Name, string Value)> settings) => string.Join(';', settings.Select(s => $"{s.Name}={s.Value}"));
}

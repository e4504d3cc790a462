using System.Net;
using Cdd.Operator.Model;

namespace Cdd.Operator.Recovery;

/// <summary>A member as the recovery sees it: its pod name and fixed address (ordinal order).</summary>
internal sealed record RecoveryMember(string Pod, IPAddress Address);

/// <summary>Reads what each member says about the group and, when <see cref="GroupRecovery"/> decides so, restarts or unblocks it.</summary>
internal interface IGroupRecovery
{
    /// <summary>Why recovery cannot run (not configured), or null.</summary>
    string? Unavailable { get; }

    Task<IReadOnlyList<MemberFacts>> ReadAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, CancellationToken ct);

    /// <summary>Bootstraps the group on <paramref name="from"/>, then starts Group Replication on the others.</summary>
    Task RebootAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, string from, CancellationToken ct);

    /// <summary>Sets group_replication_force_members on <paramref name="from"/> to the members it sees ONLINE, then clears it.</summary>
    Task<string> ForceQuorumAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, string from, CancellationToken ct);
}

/// <summary>The recovery of an operator wired without MySQL: says so.</summary>
internal sealed class NoGroupRecovery : IGroupRecovery
{
    public static readonly NoGroupRecovery Instance = new();
    public string? Unavailable => "no MySQL access is configured";
    public Task<IReadOnlyList<MemberFacts>> ReadAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, CancellationToken ct) => throw new InvalidOperationException(Unavailable);
    public Task RebootAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, string from, CancellationToken ct) => throw new InvalidOperationException(Unavailable);
    public Task<string> ForceQuorumAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, string from, CancellationToken ct) => throw new InvalidOperationException(Unavailable);
}

/// <summary>A recovery action a member refused or did not finish; the message names the member and the server's error.</summary>
internal sealed class GroupRecoveryException(string message, Exception? inner = null) : Exception(message, inner);

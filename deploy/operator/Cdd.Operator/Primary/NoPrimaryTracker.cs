using System.Net;
using Cdd.Operator.Model;

namespace Cdd.Operator.Primary;

/// <summary>
/// Tracking of an operator wired without MySQL access: MGR is never asked, so no member has a reported state and the
/// pods' <c>cdd.io/role</c> labels change only by hand; PrimaryTracked says so (False, NotConfigured).
/// </summary>
internal sealed class NoPrimaryTracker : IPrimaryTracker
{
    public static readonly NoPrimaryTracker Instance = new();

    static readonly IReadOnlyDictionary<string, string> NoStates = new Dictionary<string, string>();

    public Task<Condition> TrackAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct) =>
        Task.FromResult(new Condition(Condition.PrimaryTracked, false, Condition.NotConfigured,
            "no primary tracker is configured: roles are not read from replication_group_members"));

    public IReadOnlyDictionary<string, string> States(ClusterSpec spec) => NoStates;

    public void Forget(string ns, string name)
    {
        // Nothing is watched, so nothing to stop.
    }
}

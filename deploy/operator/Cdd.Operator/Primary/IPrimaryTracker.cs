using System.Net;
using Cdd.Operator.Model;

namespace Cdd.Operator.Primary;

/// <summary>What the reconciler asks of primary tracking: follow a cluster's members, report their MGR states, forget a cluster.</summary>
internal interface IPrimaryTracker
{
    /// <summary>Starts or updates the watch of <paramref name="spec"/>'s members; the PrimaryTracked condition it results in.</summary>
    Task<Condition> TrackAsync(ClusterSpec spec, IReadOnlyDictionary<int, IPAddress> addresses, CancellationToken ct);

    /// <summary>MEMBER_STATE per member pod of the cluster as last reported (empty when nothing was reported).</summary>
    IReadOnlyDictionary<string, string> States(ClusterSpec spec);

    void Forget(string ns, string name);
}

using Cdd.Ipam.Model;

namespace Cdd.Ipam.Engine;

/// <summary>
/// The engine's answer: either a reservation that already belongs to the request (a retried ADD, a fixed identity's
/// binding), or candidates in preference order for the store to claim one by one.
/// </summary>
public sealed class AllocationPlan
{
    public Reservation? Existing { get; init; }
    public IEnumerable<Candidate> Candidates { get; init; } = [];
    /// <summary>The candidates are the requested address only: losing it is an error, not a reason to take another.</summary>
    public bool IsRequested { get; init; }
}

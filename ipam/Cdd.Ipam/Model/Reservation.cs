using System.Net;

namespace Cdd.Ipam.Model;

/// <summary>
/// One allocated address of a pool. <see cref="Owner"/> is null while a fixed binding waits for its next pod.
/// <see cref="Version"/> is the store's concurrency token (a resourceVersion, a file generation); stores compare it
/// before any replace or delete, so a writer acting on a stale copy is refused.
/// </summary>
public sealed record Reservation
{
    public required string Pool { get; init; }
    public required string Segment { get; init; }
    public required IPAddress Address { get; init; }
    public int Vlan { get; init; }
    public Owner? Owner { get; init; }
    public FixedIdentity? Fixed { get; init; }
    public string Node { get; init; } = "";
    public string? Version { get; init; }

    /// <summary>The store key: derived from pool and address only, so creating it is the claim.</summary>
    public string Name => NameOf(Pool, Address);

    public static string NameOf(string pool, IPAddress address) =>
        pool + "-" + address.ToString().Replace('.', '-').Replace(':', '-');
}

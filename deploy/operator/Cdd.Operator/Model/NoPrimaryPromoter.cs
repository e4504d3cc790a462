namespace Cdd.Operator.Model;

/// <summary>
/// The promoter of an operator wired without one (tests of placement alone): it moves no role, and says so through
/// <see cref="Unavailable"/>, which the primary-host and rolling-restart steps report in their conditions.
/// </summary>
internal sealed class NoPrimaryPromoter : IPrimaryPromoter
{
    public static readonly NoPrimaryPromoter Instance = new();

    public string? Unavailable => "no promoter is configured";

    /// <summary>Steps check <see cref="Unavailable"/> first; a call anyway is a wiring bug, not a promotion that failed.</summary>
    public Task PromoteAsync(ClusterSpec cluster, string memberPod, string memberHost, CancellationToken ct) =>
        throw new InvalidOperationException($"{Unavailable}: cannot promote {memberPod} in {cluster.Key}");
}

using Cdd.Ipam.Kube.Store;
using Cdd.Testing.Ipam;

namespace Cdd.Ipam.Kube.Tests.Service;

/// <summary>
/// The interleaving property (Cdd.Testing's InterleavingScenario, also run over the in-memory store) with each agent
/// a KubeReservationStore: its own client and watch cache, so agents lag as real ones do, against the fake API server
/// injecting 409s on writes and applied writes answered 500.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class KubeInterleavingProperties
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 30)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public Task No_address_is_issued_twice_and_every_release_returns_what_was_taken(int seed) => Run(seed, TimeSpan.Zero);

    /// <summary>
    /// Agents whose watches run far behind (a loaded machine): a fresh snapshot shows an address another agent just
    /// released, which the claimer's own cache still lists as held. The claim must go to the API server, not be
    /// refused from the cache, or every round is lost until the watch catches up.
    /// </summary>
    [Theory]
    [MemberData(nameof(LaggingSeeds))]
    public Task Lagging_watches_cost_rounds_but_never_fail_a_claim_or_issue_an_address_twice(int seed) => Run(seed, TimeSpan.FromMilliseconds(400));

    public static TheoryData<int> LaggingSeeds() => [.. Enumerable.Range(100, 6)];

    static async Task Run(int seed, TimeSpan watchLag)
    {
        await using var kube = new KubeFixture();
        var options = new KubeStoreOptions { RetryDelay = TimeSpan.FromMilliseconds(1), WatchRetryDelay = TimeSpan.FromMilliseconds(10) };
        var agents = InterleavingScenario.Nodes.Select(_ => kube.Store(options)).ToArray();
        var truth = kube.Store(options);
        foreach (var a in agents) await a.WarmAsync(InterleavingScenario.Pool.Name, default);
        kube.Api.Faults.Seed = seed;
        kube.Api.Faults.Methods = new HashSet<string> { "POST", "PUT", "DELETE" };
        kube.Api.Faults.ConflictRate = 0.1;
        kube.Api.Faults.LostReplyRate = 0.1;
        kube.Api.Faults.WatchLag = watchLag;

        await InterleavingScenario.RunAsync(new Random(seed), agents,
            async () => (await truth.SnapshotAsync(InterleavingScenario.Pool.Name, fresh: true, default)).Reservations);
    }
}

using System.Net;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;

namespace Cdd.Operator.Tests.Reconcile.Steps;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class BindAddressesStepTests
{
    static readonly ClusterSpec Spec = StepFixture.Spec();

    /// <summary>Binds 10.30.0.(ordinal) on any node but <paramref name="refuse"/>.</summary>
    sealed class Addresses(string? refuse = null) : IMemberAddresses
    {
        public readonly List<(int Ordinal, string Node)> Bound = [];

        public Task<IReadOnlyDictionary<int, IPAddress>> ListAsync(string ns, string cluster, string pool, CancellationToken ct) =>
            Task.FromResult<IReadOnlyDictionary<int, IPAddress>>(new Dictionary<int, IPAddress>());

        public Task<IPAddress> BindAsync(ClusterSpec c, int ordinal, string node, CancellationToken ct)
        {
            if (node == refuse) throw new MemberAddressException($"member {MemberNames.PodName(c.Name, ordinal)} on node {node}: no segment");
            Bound.Add((ordinal, node));
            return Task.FromResult(IPAddress.Parse($"10.30.0.{ordinal}"));
        }

        public Task<int> ReleaseAsync(string ns, string cluster, string pool, CancellationToken ct) => Task.FromResult(0);
    }

    [Fact]
    public async Task A_running_member_without_an_address_is_bound_where_it_runs()
    {
        using var f = new StepFixture();
        var known = new Dictionary<int, IPAddress> { [0] = IPAddress.Parse("10.20.0.10") };
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0), StepFixture.Pod(Spec, 1)], addresses: known);
        var addresses = new Addresses();
        var pass = f.Pass(snapshot);
        Assert.Null(await new BindAddressesStep(addresses).RunAsync(snapshot, pass));
        Assert.Equal([(1, "node-2")], addresses.Bound);
        Assert.Equal(IPAddress.Parse("10.30.0.1"), pass.Snapshot.Addresses[1]);
        Assert.Equal(IPAddress.Parse("10.20.0.10"), pass.Snapshot.Addresses[0]);
    }

    [Fact]
    public async Task A_refused_binding_makes_the_cluster_unplaceable()
    {
        using var f = new StepFixture();
        var snapshot = StepFixture.Snapshot(Spec, [StepFixture.Pod(Spec, 0), StepFixture.Pod(Spec, 1)], addresses: new Dictionary<int, IPAddress>());
        var pass = f.Pass(snapshot);
        var c = await new BindAddressesStep(new Addresses(refuse: "node-2")).RunAsync(snapshot, pass);
        Assert.Equal(new Condition(Condition.Placed, false, "Unplaceable", "member orders-1 on node node-2: no segment"), c);
        Assert.Equal(IPAddress.Parse("10.30.0.0"), Assert.Single(pass.Snapshot.Addresses).Value); // what was bound before the refusal stays
    }
}

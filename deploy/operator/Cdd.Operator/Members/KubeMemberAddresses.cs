using System.Net;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Kube.Cluster;
using Cdd.Ipam.Kube.Store;
using Cdd.Ipam.Model;
using Cdd.Ipam.Service;
using Cdd.Ipam.Store;
using Cdd.Operator.Model;
using k8s;

namespace Cdd.Operator.Members;

/// <summary><see cref="IMemberAddresses"/> on IPReservation objects through the same engine and store cdd-ipamd uses.</summary>
internal sealed class KubeMemberAddresses(IKubernetes client) : IMemberAddresses, IAsyncDisposable
{
    readonly KubeClusterView _view = new(client);
    readonly KubeReservationStore _store = new(client);

    public static FixedIdentity Identity(string ns, string cluster, int ordinal) =>
        FixedIdentity.Annotated(ns, $"{ns}/{MemberNames.PodName(cluster, ordinal)}");

    public async Task<IReadOnlyDictionary<int, IPAddress>> ListAsync(string ns, string cluster, string pool, CancellationToken ct)
    {
        var result = new Dictionary<int, IPAddress>();
        foreach (var (ordinal, r) in await MembersAsync(ns, cluster, pool, ct)) result[ordinal] = r.Address;
        return result;
    }

    public async Task<IPAddress> BindAsync(ClusterSpec c, int ordinal, string node, CancellationToken ct)
    {
        try
        {
            var (pool, problem) = await _view.ReadPoolAsync(c.Pool, ct);
            if (pool is null) throw new MemberAddressException(problem!);
            var nodeView = await _view.GetNodeAsync(node, ct);
            var allocation = await new IpamService(_store).AllocateAsync(new AllocationRequest
            {
                Pool = pool, Node = nodeView, Owner = null, Fixed = Identity(c.Namespace, c.Name, ordinal),
            }, ct);
            return allocation.Reservation.Address;
        }
        catch (Exception e) when (e is IpamException or ClusterObjectException or StoreUnavailableException)
        {
            throw new MemberAddressException($"member {MemberNames.PodName(c.Name, ordinal)} on node {node}: {e.Message}", e)
            {
                UnreachableFrom = e is IpamException { Kind: IpamErrorKind.SegmentUnreachable } ? node : null,
            };
        }
    }

    public async Task<int> ReleaseAsync(string ns, string cluster, string pool, CancellationToken ct)
    {
        int changed = 0;
        foreach (var (_, r) in await MembersAsync(ns, cluster, pool, ct))
            if (!await _store.TryReleaseAsync(r, ct)) changed++; // version-checked: changed since the read, try again later
        return changed;
    }

    async Task<List<(int Ordinal, Reservation Reservation)>> MembersAsync(string ns, string cluster, string pool, CancellationToken ct)
    {
        PoolSnapshot snapshot;
        try
        {
            snapshot = await _store.SnapshotAsync(pool, fresh: true, ct);
        }
        catch (ArgumentException)
        {
            return []; // not a pool name the store accepts: nothing can be bound in it either
        }
        string prefix = $"{ns}/";
        var members = new List<(int, Reservation)>();
        foreach (var r in snapshot.Reservations)
        {
            if (r.Fixed is not { Key: { } key, StatefulSet: null } f || f.Namespace != ns || !key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (MemberNames.Ordinal(cluster, key[prefix.Length..]) is { } i) members.Add((i, r));
        }
        return members;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _view.DisposeAsync();
    }
}

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cdd.Ipam.Kube.Cluster;

/// <summary>
/// A coordination.k8s.io Lease that names the one agent writing pool status, so thousands of agents do not each GET and
/// PUT the same IPPool status (conflicting with each other even without faults). Taken when absent or expired, renewed
/// by its holder; every write carries the resourceVersion read, so two agents never both believe they hold it.
/// </summary>
public sealed class StatusLease(IKubernetes client, string ns, string name, string identity, TimeSpan duration)
{
    /// <summary>True: this agent holds the lease now. False: another live holder does. Null: the lease cannot be used (no RBAC).</summary>
    public async Task<bool?> HoldAsync(CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        V1Lease? lease;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (ApiFailure.IsNotFound(e))
        {
            lease = null;
        }
        catch (HttpOperationException e) when (ApiFailure.IsForbidden(e))
        {
            return null;
        }
        try
        {
            if (lease is null)
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                    Spec = Spec(identity, now, now, 0),
                }, ns, cancellationToken: ct);
                return true;
            }
            var spec = lease.Spec ?? new V1LeaseSpec();
            bool mine = spec.HolderIdentity == identity;
            var renewed = spec.RenewTime ?? spec.AcquireTime ?? DateTime.MinValue;
            bool expired = renewed.ToUniversalTime() + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? 0) < now;
            if (!mine && !expired) return false;
            lease.Spec = Spec(identity, mine ? spec.AcquireTime ?? now : now, now, (spec.LeaseTransitions ?? 0) + (mine ? 0 : 1));
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException e) when (ApiFailure.IsConflict(e))
        {
            return false; // another agent took or renewed it since our read
        }
        catch (HttpOperationException e) when (ApiFailure.IsForbidden(e) || ApiFailure.IsNotFound(e))
        {
            return null; // no RBAC, or no such namespace or resource
        }
    }

    V1LeaseSpec Spec(string holder, DateTime acquired, DateTime renewed, int transitions) => new()
    {
        HolderIdentity = holder,
        LeaseDurationSeconds = (int)Math.Ceiling(duration.TotalSeconds),
        AcquireTime = acquired,
        RenewTime = renewed,
        LeaseTransitions = transitions,
    };

}

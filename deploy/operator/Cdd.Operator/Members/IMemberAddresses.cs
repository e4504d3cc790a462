using System.Net;
using Cdd.Operator.Model;

namespace Cdd.Operator.Members;

/// <summary>
/// The members' fixed addresses. Each member ordinal i of cluster c has the identity
/// <c>cdd.io/fixed-ip = &lt;namespace&gt;/&lt;cluster&gt;-i</c> (the annotation its pod carries), bound to one address of
/// the cluster's IPPool for life: the operator binds it before the pod exists, so report_host, the group seeds and the
/// local address can be the fixed addresses; cdd-ipamd hands the same address to whichever pod holds the identity.
/// </summary>
internal interface IMemberAddresses
{
    /// <summary>The bound addresses of the cluster's members by ordinal (fresh read).</summary>
    Task<IReadOnlyDictionary<int, IPAddress>> ListAsync(string ns, string cluster, string pool, CancellationToken ct);

    /// <summary>Binds member <paramref name="ordinal"/> to an address of a segment <paramref name="node"/> reaches; returns the existing binding when there is one.</summary>
    Task<IPAddress> BindAsync(ClusterSpec c, int ordinal, string node, CancellationToken ct);

    /// <summary>
    /// Deletes the bindings of every member of the cluster (called once its pods are gone, so a holder recorded in a
    /// binding is a pod that no longer exists); returns how many could not be deleted because they changed since the
    /// read (a later call deletes them).
    /// </summary>
    Task<int> ReleaseAsync(string ns, string cluster, string pool, CancellationToken ct);
}

using Cdd.Ipam.Kube.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cdd.Ipam.Kube.Store;

/// <summary>The five calls the store makes on IPReservation objects, one to one with the API.</summary>
internal sealed class ReservationApi(IKubernetes client)
{
    const string G = CddResources.Group, V = CddResources.Version, P = CddResources.ReservationPlural;

    public async Task<IpReservationObject> CreateAsync(IpReservationObject body, CancellationToken ct)
    {
        using var res = await client.CustomObjects.CreateClusterCustomObjectWithHttpMessagesAsync<IpReservationObject>(body, G, V, P, cancellationToken: ct);
        return res.Body;
    }

    /// <summary>The object, or null when there is none by that name.</summary>
    public async Task<IpReservationObject?> GetAsync(string name, CancellationToken ct)
    {
        try
        {
            using var res = await client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<IpReservationObject>(G, V, P, name, cancellationToken: ct);
            return res.Body;
        }
        catch (HttpOperationException e) when (ApiFailure.IsNotFound(e))
        {
            return null;
        }
    }

    public async Task<IpReservationObject> ReplaceAsync(IpReservationObject body, CancellationToken ct)
    {
        using var res = await client.CustomObjects.ReplaceClusterCustomObjectWithHttpMessagesAsync<IpReservationObject>(body, G, V, P, body.Metadata.Name, cancellationToken: ct);
        return res.Body;
    }

    /// <summary>DELETE with uid and resourceVersion preconditions; the answer is the object as it was deleted.</summary>
    public async Task<IpReservationObject?> DeleteAsync(string name, string uid, string resourceVersion, CancellationToken ct)
    {
        var options = new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid, ResourceVersion = resourceVersion } };
        using var res = await client.CustomObjects.DeleteClusterCustomObjectWithHttpMessagesAsync<IpReservationObject>(G, V, P, name, options, cancellationToken: ct);
        return res.Body;
    }

    /// <param name="more">Further selector terms (a segment, a fixed identity), comma-separated, or null.</param>
    public Task<HttpOperationResponse<KubeList<IpReservationObject>>> ListAsync(string pool, string? resourceVersion, bool watch, CancellationToken ct, string? more = null) =>
        client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<KubeList<IpReservationObject>>(G, V, P,
            allowWatchBookmarks: watch ? true : null,
            labelSelector: more is null ? $"{CddResources.PoolLabel}={pool}" : $"{CddResources.PoolLabel}={pool},{more}",
            resourceVersion: resourceVersion,
            timeoutSeconds: watch ? 300 : null,
            watch: watch ? true : null,
            cancellationToken: ct);
}

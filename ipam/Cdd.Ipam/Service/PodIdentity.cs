using System.Net;
using System.Net.Sockets;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Engine;
using Cdd.Ipam.Model;

namespace Cdd.Ipam.Service;

/// <summary>Which fixed identity an attachment's pod holds, from the pod object when the cluster knows it, else from its name.</summary>
public static class PodIdentity
{
    /// <summary>
    /// The fixed identity a pod carries: the cdd.io/fixed-ip annotation, or a StatefulSet member (its controller
    /// owner and ordinal). An annotation holding an address also asks for that address.
    /// </summary>
    public static (FixedIdentity? Identity, IPAddress? Address) Of(PodInfo pod)
    {
        if (pod.Annotations.TryGetValue(FixedIdentity.Annotation, out var key))
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > 253)
                throw new IpamException(IpamErrorKind.InvalidRequest,
                    $"pod {pod.Namespace}/{pod.Name}: annotation {FixedIdentity.Annotation} must be a non-empty key or address of at most 253 characters");
            bool isAddress = IPAddress.TryParse(key, out var ip) && key.Contains(ip.AddressFamily == AddressFamily.InterNetwork ? '.' : ':');
            return (FixedIdentity.Annotated(pod.Namespace, key), isAddress ? ip : null);
        }
        if (pod.StatefulSet is { } set && FixedIdentity.FromPodName(pod.Namespace, pod.Name, [set]) is { } member)
            return (member, null);
        return (null, null);
    }
}

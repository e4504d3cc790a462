using System.Net;

namespace Cdd.Ipam.Service;

/// <summary>
/// One CNI attachment asking for an address, as both adapters receive it (cdd-ipam from its environment and config,
/// cdd-ipamd from its socket). Pod fields are empty when the runtime named no pod.
/// </summary>
public sealed record AttachmentRequest(string Pool, string ContainerId, string IfName, string Network)
{
    public string PodNamespace { get; init; } = "";
    public string PodName { get; init; } = "";
    public string PodUid { get; init; } = "";
    /// <summary>runtimeConfig.ips: only this address will do.</summary>
    public IPAddress? Requested { get; init; }
}

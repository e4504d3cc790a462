namespace Cdd.Ipam.Model;

/// <summary>
/// The attachment holding an address right now. Container ID and interface identify the CNI attachment (what DEL and
/// GC name); the pod fields are what Kubernetes knows it by.
/// </summary>
public sealed record Owner(string ContainerId, string IfName)
{
    public string PodNamespace { get; init; } = "";
    public string PodName { get; init; } = "";
    public string PodUid { get; init; } = "";
    /// <summary>The CNI network (conflist name): GC lists valid attachments per network, so it may only judge its own.</summary>
    public string Network { get; init; } = "";

    public bool IsAttachment(string containerId, string ifName) => ContainerId == containerId && IfName == ifName;

    public override string ToString() =>
        PodName == "" ? $"container {ContainerId}/{IfName}" : $"pod {PodNamespace}/{PodName} (container {ContainerId}/{IfName})";
}

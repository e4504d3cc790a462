using System.Net;
using Cdd.Operator.Placement;
using k8s.Models;

namespace Cdd.Operator.Model;

/// <summary>
/// The names, labels and annotations of a cluster's member objects, deterministic so a re-run (or a restarted operator)
/// finds what exists and creates only what is missing: per member ordinal i a Pod <c>&lt;cluster&gt;-i</c> and a PVC
/// <c>data-&lt;cluster&gt;-i</c>, the headless Service <c>&lt;cluster&gt;</c> and the Service <c>&lt;cluster&gt;-primary</c>
/// (<see cref="MemberManifests"/> makes them). Placement, the primary watcher and the reconciler read pods by these.
/// </summary>
internal static class MemberNames
{
    public const string ClusterLabel = "cdd.io/cluster";
    public const string MemberLabel = "cdd.io/member";
    public const string RoleLabel = "cdd.io/role";
    public const string FixedIpAnnotation = "cdd.io/fixed-ip";
    public const string PoolAnnotation = "cdd.io/ipam-pool";
    public const string NetworkModeAnnotation = "cdd.io/network-mode";
    public const string BootstrapAnnotation = "cdd.io/bootstrap";
    /// <summary>The member's fixed address, bound before the pod was made (a copy of its IPReservation: the binding is for life).</summary>
    public const string AddressAnnotation = "cdd.io/address";
    /// <summary>The dynamic MGR settings the member runs with (made with, or applied since): <c>name=value;name=value</c>.</summary>
    public const string SettingsAnnotation = "cdd.io/mgr-settings";
    public const int GroupPort = 33061;
    /// <summary>
    /// The PVC annotation naming the node its volume is made on: kube-scheduler sets it for the pods it schedules, so
    /// for pinned members (which bypass it) the reconciler does, and a WaitForFirstConsumer class waits for it.
    /// </summary>
    public const string SelectedNodeAnnotation = "volume.kubernetes.io/selected-node";

    public static string PodName(string cluster, int ordinal) => $"{cluster}-{ordinal}";
    public static string PvcName(string cluster, int ordinal) => $"data-{cluster}-{ordinal}";
    public static string PrimaryServiceName(string cluster) => $"{cluster}-primary";
    public const int MySqlPort = 3306;

    /// <summary>The member's stable DNS name (headless Service), for clients; MGR uses the fixed addresses.</summary>
    public static string Host(ClusterSpec c, int ordinal) => $"{PodName(c.Name, ordinal)}.{c.Name}.{c.Namespace}.svc";

    /// <summary>An address as MGR wants it in host:port lists (IPv6 in brackets).</summary>
    public static string Endpoint(IPAddress ip, int port) =>
        ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{port}" : $"{ip}:{port}";

    /// <summary>The cdd-ipamd binding key: the same for every incarnation of the member, so it keeps one address for life.</summary>
    public static string FixedIp(ClusterSpec c, int ordinal) => $"{c.Namespace}/{PodName(c.Name, ordinal)}";

    /// <summary>The ordinal of a member pod's name, or null for a name that is not one of this cluster's.</summary>
    public static int? Ordinal(string cluster, string podName) =>
        podName.StartsWith(cluster + "-", StringComparison.Ordinal) && int.TryParse(podName.AsSpan(cluster.Length + 1), out int i) && i >= 0 && PodName(cluster, i) == podName ? i : null;

    /// <summary>The MGR role as the primary watcher labels it (cdd.io/role=primary); any other member is a secondary.</summary>
    public static MemberRole Role(V1Pod pod) =>
        Value(pod.Metadata.Labels, RoleLabel) == "primary" ? MemberRole.Primary : MemberRole.Secondary;

    /// <summary>The address a member pod was made with (<see cref="AddressAnnotation"/>), null for a pod without one.</summary>
    public static IPAddress? Address(V1Pod pod) =>
        IPAddress.TryParse(Value(pod.Metadata.Annotations, AddressAnnotation), out var ip) ? ip : null;

    /// <summary>A label's or annotation's value, null when the map or the key is absent.</summary>
    public static string? Value(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var v) ? v : null;
}

using System.Net;
using Cdd.Operator.Placement;
using k8s.Models;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// The objects the reconciler creates for a cluster, with deterministic names so a re-run (or a restarted operator)
/// finds what exists and creates only what is missing: per member ordinal i a Pod <c>&lt;cluster&gt;-i</c> and a PVC
/// <c>data-&lt;cluster&gt;-i</c>; one headless Service <c>&lt;cluster&gt;</c> that gives every member the stable DNS name
/// <c>&lt;cluster&gt;-i.&lt;cluster&gt;.&lt;namespace&gt;.svc</c>; one Service <c>&lt;cluster&gt;-primary</c> selecting the
/// pod labelled <c>cdd.io/role=primary</c> (the primary watcher moves the label). All carry an ownerReference to the
/// MySQLCluster. MGR itself is addressed by the members' fixed addresses (<see cref="IMemberAddresses"/>).
/// </summary>
public static class MemberObjects
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

    public static V1OwnerReference Owner(ClusterSpec c) => new()
    {
        ApiVersion = $"{MySqlClusterApi.Group}/{MySqlClusterApi.Version}",
        Kind = MySqlClusterApi.Kind,
        Name = c.Name,
        Uid = c.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    static Dictionary<string, string> Labels(ClusterSpec c) => new() { [ClusterLabel] = c.Name };

    /// <summary>
    /// The MGR settings of member <paramref name="ordinal"/>: report_host and the local address are its fixed address,
    /// the seeds the group addresses of all <see cref="ClusterSpec.Members"/> members (every one must be bound). The
    /// allowlist, when the pool is known, is its segments' subnets (the members' addresses come from them); else MGR's
    /// AUTOMATIC. The member weight (MGR's choice of the next primary) when the spec sets one.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> MgrSettings(ClusterSpec c, int ordinal, IReadOnlyDictionary<int, IPAddress> addresses, string? allowlist = null)
    {
        IPAddress Of(int i) => addresses.TryGetValue(i, out var ip) ? ip
            : throw new InvalidOperationException($"member {PodName(c.Name, i)} has no bound address");
        return
        [
            ("server_id", (ordinal + 1).ToString()),
            ("report_host", Of(ordinal).ToString()),
            ("group_replication_group_name", c.Uid),
            ("group_replication_group_seeds", string.Join(',', Enumerable.Range(0, c.Members).Select(i => Endpoint(Of(i), GroupPort)))),
            ("group_replication_local_address", Endpoint(Of(ordinal), GroupPort)),
            ("group_replication_single_primary_mode", "ON"),
            ("group_replication_start_on_boot", "ON"),
            .. (allowlist is null ? Array.Empty<(string, string)>() : [("group_replication_ip_allowlist", allowlist)]),
            .. (c.Weight(ordinal) is { } w ? [("group_replication_member_weight", w.ToString())] : Array.Empty<(string, string)>()),
        ];
    }

    /// <summary>
    /// The settings the reconciler keeps converged on a running member (<see cref="IMemberSettings"/>): the seeds of all
    /// members and the member weight (MGR's default 50 when the spec gives none, so removing a weight resets it).
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> DynamicSettings(ClusterSpec c, int ordinal, IReadOnlyDictionary<int, IPAddress> addresses)
    {
        var all = MgrSettings(c, ordinal, addresses);
        return
        [
            all.Single(s => s.Name == "group_replication_group_seeds"),
            ("group_replication_member_weight", (c.Weight(ordinal) ?? 50).ToString()),
        ];
    }

    public static string SettingsText(IReadOnlyList<(string Name, string Value)> settings) => string.Join(';', settings.Select(s => $"{s.Name}={s.Value}"));

    public static V1Pod Pod(ClusterSpec c, int ordinal, string node, bool bootstrap, IReadOnlyDictionary<int, IPAddress> addresses, string? allowlist = null)
    {
        string name = PodName(c.Name, ordinal);
        var labels = Labels(c);
        labels[MemberLabel] = ordinal.ToString();
        var annotations = new Dictionary<string, string>
        {
            [FixedIpAnnotation] = FixedIp(c, ordinal),
            [AddressAnnotation] = addresses[ordinal].ToString(),
            [PoolAnnotation] = c.Pool,
            [NetworkModeAnnotation] = c.Mode.ToString().ToLowerInvariant(),
        };
        if (bootstrap) annotations[BootstrapAnnotation] = "true";
        annotations[SettingsAnnotation] = SettingsText(DynamicSettings(c, ordinal, addresses));
        var mgr = MgrSettings(c, ordinal, addresses, allowlist);
        var requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(c.Cpu), ["memory"] = new(c.Memory) };
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name, NamespaceProperty = c.Namespace, Labels = labels, Annotations = annotations,
                OwnerReferences = [Owner(c)],
            },
            Spec = new V1PodSpec
            {
                // Pinned: the placement engine chose the node, the scheduler is not asked again.
                NodeName = node,
                Hostname = name,
                Subdomain = c.Name,
                Containers =
                [
                    new V1Container
                    {
                        Name = "mysql",
                        Image = c.Image,
                        Args = [.. mgr.Select(s => $"--loose-{s.Name.Replace('_', '-')}={s.Value}")],
                        Env = [.. mgr.Select(s => new V1EnvVar { Name = $"MGR_{s.Name.ToUpperInvariant()}", Value = s.Value })],
                        Ports = [new V1ContainerPort { ContainerPort = MySqlPort, Name = "mysql" }, new V1ContainerPort { ContainerPort = GroupPort, Name = "group" }],
                        Resources = new V1ResourceRequirements { Requests = requests, Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(c.Memory) } },
                        VolumeMounts = [new V1VolumeMount { MountPath = "/var/lib/mysql", Name = "data" }],
                    },
                ],
                Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = PvcName(c.Name, ordinal) } }],
            },
        };
    }

    /// <summary>
    /// The member's data volume claim, made when its pod is: <paramref name="node"/> goes into
    /// <c>volume.kubernetes.io/selected-node</c> (pinned pods bypass kube-scheduler, which would set it for a
    /// WaitForFirstConsumer class).
    /// </summary>
    public static V1PersistentVolumeClaim Pvc(ClusterSpec c, int ordinal, string node)
    {
        var labels = Labels(c);
        labels[MemberLabel] = ordinal.ToString();
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta
            {
                Name = PvcName(c.Name, ordinal), NamespaceProperty = c.Namespace, Labels = labels, OwnerReferences = [Owner(c)],
                Annotations = new Dictionary<string, string> { [MemberVolumes.SelectedNodeAnnotation] = node },
            },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = c.StorageClass,
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(c.StorageSize) } },
            },
        };
    }

    /// <summary>
    /// What placement counts for a member that is being placed on <paramref name="node"/> but has no pod yet: its
    /// labels, network mode and requests on that node (never created).
    /// </summary>
    public static V1Pod Placeholder(ClusterSpec c, int ordinal, string node)
    {
        var labels = Labels(c);
        labels[MemberLabel] = ordinal.ToString();
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = PodName(c.Name, ordinal), NamespaceProperty = c.Namespace, Labels = labels,
                Annotations = new Dictionary<string, string> { [NetworkModeAnnotation] = c.Mode.ToString().ToLowerInvariant() },
            },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "mysql", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(c.Cpu), ["memory"] = new(c.Memory) } } }],
            },
        };
    }

    /// <summary>Headless, publishing not-ready addresses so members find each other's names while MGR is still joining.</summary>
    public static V1Service HeadlessService(ClusterSpec c) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = c.Name, NamespaceProperty = c.Namespace, Labels = Labels(c), OwnerReferences = [Owner(c)] },
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            PublishNotReadyAddresses = true,
            Selector = Labels(c),
            Ports = [new V1ServicePort { Port = MySqlPort, Name = "mysql" }, new V1ServicePort { Port = GroupPort, Name = "group" }],
        },
    };

    /// <summary>
    /// <c>&lt;cluster&gt;-primary</c>: a ClusterIP Service selecting the member labelled <c>cdd.io/role=primary</c>, so
    /// writers follow the primary when the role moves (the primary watcher relabels within a poll).
    /// </summary>
    public static V1Service PrimaryService(ClusterSpec c)
    {
        var selector = Labels(c);
        selector[RoleLabel] = "primary";
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = PrimaryServiceName(c.Name), NamespaceProperty = c.Namespace, Labels = Labels(c), OwnerReferences = [Owner(c)] },
            Spec = new V1ServiceSpec
            {
                Selector = selector,
                Ports = [new V1ServicePort { Port = MySqlPort, Name = "mysql" }],
            },
        };
    }

    /// <summary>
    /// Whether the pod runs what the spec asks for in fields a pod cannot change in place: the mysql container's image
    /// and its CPU and memory requests (compared as quantities, so "2" equals "2000m").
    /// </summary>
    public static bool RunsSpec(ClusterSpec c, V1Pod pod)
    {
        var mysql = pod.Spec?.Containers?.FirstOrDefault(x => x.Name == "mysql");
        if (mysql is null || mysql.Image != c.Image) return false;
        var req = mysql.Resources?.Requests;
        string? cpu = req is not null && req.TryGetValue("cpu", out var q) ? q.ToString() : null;
        string? mem = req is not null && req.TryGetValue("memory", out var m) ? m.ToString() : null;
        return cpu is not null && mem is not null
            && Plan.Quantity.CpuMillis(cpu) == Plan.Quantity.CpuMillis(c.Cpu) && Plan.Quantity.Bytes(mem) == Plan.Quantity.Bytes(c.Memory);
    }

    /// <summary>The MGR role as the primary watcher labels it (cdd.io/role=primary); any other member is a secondary.</summary>
    public static MemberRole Role(V1Pod pod) =>
        Value(pod.Metadata.Labels, RoleLabel) == "primary" ? MemberRole.Primary : MemberRole.Secondary;

    /// <summary>The address a member pod was made with (<see cref="AddressAnnotation"/>), null for a pod without one.</summary>
    public static IPAddress? Address(V1Pod pod) =>
        IPAddress.TryParse(Value(pod.Metadata.Annotations, AddressAnnotation), out var ip) ? ip : null;

    /// <summary>A label's or annotation's value, null when the map or the key is absent.</summary>
    public static string? Value(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var v) ? v : null;
}

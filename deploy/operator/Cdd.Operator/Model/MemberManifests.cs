using System.Net;
using Cdd.Operator.Placement;
using k8s.Models;

namespace Cdd.Operator.Model;

/// <summary>
/// The objects the reconciler creates for a cluster (names from <see cref="MemberNames"/>): per member a Pod pinned to
/// its node and a PVC naming that node; one headless Service that gives every member the stable DNS name
/// <c>&lt;cluster&gt;-i.&lt;cluster&gt;.&lt;namespace&gt;.svc</c>; one Service <c>&lt;cluster&gt;-primary</c> selecting the
/// pod labelled <c>cdd.io/role=primary</c> (the primary watcher moves the label). All carry an ownerReference to the
/// MySQLCluster. MGR itself is addressed by the members' fixed addresses.
/// </summary>
internal static class MemberManifests
{
    public static V1OwnerReference Owner(ClusterSpec c) => new()
    {
        ApiVersion = $"{MySqlClusterApi.Group}/{MySqlClusterApi.Version}",
        Kind = MySqlClusterApi.Kind,
        Name = c.Name,
        Uid = c.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    static Dictionary<string, string> Labels(ClusterSpec c) => new() { [MemberNames.ClusterLabel] = c.Name };

    public static V1Pod Pod(ClusterSpec c, int ordinal, string node, bool bootstrap, IReadOnlyDictionary<int, IPAddress> addresses, string? allowlist = null)
    {
        string name = MemberNames.PodName(c.Name, ordinal);
        var labels = Labels(c);
        labels[MemberNames.MemberLabel] = ordinal.ToString();
        var annotations = new Dictionary<string, string>
        {
            [MemberNames.FixedIpAnnotation] = MemberNames.FixedIp(c, ordinal),
            [MemberNames.AddressAnnotation] = addresses[ordinal].ToString(),
            [MemberNames.PoolAnnotation] = c.Pool,
            [MemberNames.NetworkModeAnnotation] = c.Mode.ToString().ToLowerInvariant(),
        };
        if (bootstrap) annotations[MemberNames.BootstrapAnnotation] = "true";
        annotations[MemberNames.SettingsAnnotation] = MgrSettings.Text(MgrSettings.Dynamic(c, ordinal, addresses));
        var mgr = MgrSettings.Of(c, ordinal, addresses, allowlist);
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
                        Ports = [new V1ContainerPort { ContainerPort = MemberNames.MySqlPort, Name = "mysql" }, new V1ContainerPort { ContainerPort = MemberNames.GroupPort, Name = "group" }],
                        Resources = new V1ResourceRequirements { Requests = requests, Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(c.Memory) } },
                        VolumeMounts = [new V1VolumeMount { MountPath = "/var/lib/mysql", Name = "data" }],
                    },
                ],
                Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = MemberNames.PvcName(c.Name, ordinal) } }],
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
        labels[MemberNames.MemberLabel] = ordinal.ToString();
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta
            {
                Name = MemberNames.PvcName(c.Name, ordinal), NamespaceProperty = c.Namespace, Labels = labels, OwnerReferences = [Owner(c)],
                Annotations = new Dictionary<string, string> { [MemberNames.SelectedNodeAnnotation] = node },
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
        labels[MemberNames.MemberLabel] = ordinal.ToString();
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = MemberNames.PodName(c.Name, ordinal), NamespaceProperty = c.Namespace, Labels = labels,
                Annotations = new Dictionary<string, string> { [MemberNames.NetworkModeAnnotation] = c.Mode.ToString().ToLowerInvariant() },
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
            Ports = [new V1ServicePort { Port = MemberNames.MySqlPort, Name = "mysql" }, new V1ServicePort { Port = MemberNames.GroupPort, Name = "group" }],
        },
    };

    /// <summary>
    /// <c>&lt;cluster&gt;-primary</c>: a ClusterIP Service selecting the member labelled <c>cdd.io/role=primary</c>, so
    /// writers follow the primary when the role moves (the primary watcher relabels within a poll).
    /// </summary>
    public static V1Service PrimaryService(ClusterSpec c)
    {
        var selector = Labels(c);
        selector[MemberNames.RoleLabel] = "primary";
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = MemberNames.PrimaryServiceName(c.Name), NamespaceProperty = c.Namespace, Labels = Labels(c), OwnerReferences = [Owner(c)] },
            Spec = new V1ServiceSpec
            {
                Selector = selector,
                Ports = [new V1ServicePort { Port = MemberNames.MySqlPort, Name = "mysql" }],
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
            && Quantity.CpuMillis(cpu) == Quantity.CpuMillis(c.Cpu) && Quantity.Bytes(mem) == Quantity.Bytes(c.Memory);
    }
}

using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Placement.Live;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile;
using Cdd.Testing.Kube;
using k8s;

namespace Cdd.Testing.Operator;

/// <summary>
/// The in-process API server serving what the reconciler touches (mysqlclusters, pods, PVCs, services, nodes), a
/// kubeconfig pointing at it and clients built from that kubeconfig exactly as `cdd-operator run --kubeconfig` does.
/// </summary>
sealed class ReconcileFixture : IDisposable
{
    public const string Ns = "db";
    /// <summary>The IPPool every cluster of <see cref="CreateCluster"/> takes its members' addresses from.</summary>
    public const string DefaultPool = "db-pool";
    readonly string _dir = Directory.CreateTempSubdirectory("cdd-operator-reconcile-").FullName;
    readonly List<IKubernetes> _clients = [];

    public ReconcileFixture()
    {
        Server = new FakeKubeApiServer()
            .Serve("cdd.io", "v1", "mysqlclusters", "MySQLCluster")
            .Serve("", "v1", "pods", "Pod")
            .Serve("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
            .Serve("", "v1", "services", "Service")
            .Serve("", "v1", "nodes", "Node")
            .Serve("cdd.io", "v1", "ippools", "IPPool")
            .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
            .Serve("", "v1", "secrets", "Secret")
            .Serve("", "v1", "persistentvolumes", "PersistentVolume")
            .Serve("", "v1", "events", "Event");
        Kubeconfig = Server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        AddPool(DefaultPool, "10.20.0.0/16");
    }

    /// <summary>A fixture with nodes node-1..node-<paramref name="count"/> spread over zones z1, z2, z3.</summary>
    public static ReconcileFixture WithNodes(int count)
    {
        var f = new ReconcileFixture();
        for (int i = 1; i <= count; i++) f.AddNode($"node-{i}", zone: $"z{(i - 1) % 3 + 1}");
        return f;
    }

    public FakeKubeApiServer Server { get; }
    public string Kubeconfig { get; }

    /// <summary>A new operator instance: its own client from the kubeconfig, no state shared with earlier ones.</summary>
    public MySqlClusterReconciler NewReconciler(IPrimaryPromoter? promoter = null, IMemberSettings? settings = null) => Reconciler(NewClient(), promoter, settings);

    /// <summary>
    /// A reconciler on <paramref name="client"/> wired as `run` wires it but without MySQL: no primary tracker, and the
    /// promoter and settings applier given (by default the ones that report they are not configured).
    /// </summary>
    public static MySqlClusterReconciler Reconciler(IKubernetes client, IPrimaryPromoter? promoter = null, IMemberSettings? settings = null) =>
        new(client, promoter ?? NoPrimaryPromoter.Instance, new KubeMemberAddresses(client), NoPrimaryTracker.Instance,
            settings ?? NoMemberSettings.Instance, TimeProvider.System);

    /// <summary>A client built from the kubeconfig as `cdd-operator run` builds it; disposed with the fixture.</summary>
    public IKubernetes NewClient()
    {
        var client = OperatorClient.Create(Kubeconfig);
        _clients.Add(client);
        return client;
    }

    /// <summary>The Secret a cluster's spec.mysql.credentialsSecret names by default (&lt;cluster&gt;-credentials).</summary>
    public void AddCredentials(string cluster, string username, string password) =>
        Server.Store.Create(Route("secrets", Ns), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = $"{cluster}-credentials" },
            ["data"] = new JsonObject
            {
                ["username"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(username)),
                ["password"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password)),
            },
        });

    /// <summary>
    /// What the CSI provisioner and the PV controller do: a PV for the member's PVC, bound to it; local to
    /// <paramref name="localNode"/> (required node affinity on its hostname) or, when null, reachable from any node (SAN).
    /// </summary>
    public void BindVolume(string pvc, string? localNode)
    {
        var pv = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolume",
            ["metadata"] = new JsonObject { ["name"] = $"pv-{pvc}" },
            ["spec"] = new JsonObject { ["capacity"] = new JsonObject { ["storage"] = "100Gi" } },
        };
        if (localNode is not null)
            pv["spec"]!["nodeAffinity"] = new JsonObject
            {
                ["required"] = new JsonObject
                {
                    ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                    {
                        ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "kubernetes.io/hostname", ["operator"] = "In", ["values"] = new JsonArray(localNode) }),
                    }),
                },
            };
        Server.Store.Create(Route("persistentvolumes"), pv);
        var claim = Server.Store.Get(Route("persistentvolumeclaims", Ns, pvc));
        claim["spec"]!["volumeName"] = $"pv-{pvc}";
        Server.Store.Update(Route("persistentvolumeclaims", Ns, pvc), claim);
    }

    public JsonObject Pvc(string name) => Server.Store.Get(Route("persistentvolumeclaims", Ns, name));

    /// <summary>What the primary watcher does when MGR reports <paramref name="pod"/> as PRIMARY: the label moves to it.</summary>
    public void LabelPrimary(string pod)
    {
        foreach (var other in Pods().Where(o => o.Name() != pod && o.Label(MemberNames.RoleLabel) is not null))
        {
            other["metadata"]!["labels"]!.AsObject().Remove(MemberNames.RoleLabel);
            Server.Store.Update(Route("pods", Ns, other.Name()), other);
        }
        var p = Pod(pod);
        p["metadata"]!["labels"]![MemberNames.RoleLabel] = "primary";
        Server.Store.Update(Route("pods", Ns, pod), p);
    }

    /// <summary>A node's measured pressure as the node agents publish it (annotation cdd.io/pressure).</summary>
    public void SetPressure(string node, string pressure)
    {
        var n = Server.Store.Get(Route("nodes", name: node));
        n["metadata"]!["annotations"]![NodeInventoryReader.PressureAnnotation] = pressure;
        Server.Store.Update(Route("nodes", name: node), n);
    }

    static KubeRoute Route(string plural, string ns = "", string? name = null, string? sub = null, string group = "", string version = "v1") =>
        new(group, version, plural, ns, name, sub);

    public static KubeRoute ClusterRoute(string? name = null, string? sub = null) => Route("mysqlclusters", Ns, name, sub, "cdd.io");

    public void AddNode(string name, string zone = "z1", string cpu = "16", string memory = "64Gi", string storage = "local-lvm=2Ti", string? pressure = null,
        IReadOnlyDictionary<string, string>? labels = null) =>
        OperatorObjects.AddNode(Server, name, zone, cpu, memory, storage, pressure, labels: labels);

    public void CreateCluster(string name, int members) => Server.Store.Create(ClusterRoute(), OperatorObjects.Cluster(name, members));

    /// <summary>A pool whose segments (seg0, seg1, ...) reach every node.</summary>
    public void AddPool(string name, params string[] subnets) =>
        CreatePool(name, subnets.Select((s, i) => new JsonObject { ["name"] = $"seg{i}", ["subnet"] = s }));

    /// <summary>A pool whose segments each reach only the nodes labelled <c>rack=&lt;rack&gt;</c>.</summary>
    public void AddRackPool(string name, params (string Rack, string Subnet)[] segments) =>
        CreatePool(name, segments.Select(s => new JsonObject
        {
            ["name"] = $"rack-{s.Rack}", ["subnet"] = s.Subnet, ["nodeSelector"] = new JsonObject { ["rack"] = s.Rack },
        }));

    public void CreatePool(string name, IEnumerable<JsonObject> segments) =>
        Server.Store.Create(Route("ippools", group: "cdd.io"), new JsonObject
        {
            ["apiVersion"] = "cdd.io/v1",
            ["kind"] = "IPPool",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["segments"] = new JsonArray([.. segments]) },
        });

    public void SetPool(string cluster, string pool)
    {
        var c = Cluster(cluster)!;
        c["spec"]!["network"]!["pool"] = pool;
        Server.Store.Update(ClusterRoute(cluster), c);
    }

    public void Cordon(string node)
    {
        var n = Server.Store.Get(Route("nodes", name: node));
        n["spec"] = new JsonObject { ["unschedulable"] = true };
        Server.Store.Update(Route("nodes", name: node), n);
    }

    public void SetMembers(string name, int members)
    {
        var c = Cluster(name)!;
        c["spec"]!["members"] = members;
        Server.Store.Update(ClusterRoute(name), c);
    }

    public JsonObject? Cluster(string name) => Server.Store.List(ClusterRoute(), LabelSelector.Parse(null)).Items
        .FirstOrDefault(o => o["metadata"]!["name"]!.GetValue<string>() == name);

    public void DeleteCluster(string name) => Server.Store.Delete(ClusterRoute(name), null, null);

    /// <summary>Every IPReservation (member bindings included), cluster-wide.</summary>
    public List<JsonObject> Reservations() => Server.Store.List(Route("ipreservations", group: "cdd.io"), LabelSelector.Parse(null)).Items;

    /// <summary>The address bound to a member's identity (cdd.io/fixed-ip = ns/pod), or null.</summary>
    public string? BoundAddress(string pod) => Reservations()
        .FirstOrDefault(r => r["spec"]!["fixed"]?["key"]?.GetValue<string>() == $"{Ns}/{pod}")?["spec"]!["address"]!.GetValue<string>();

    public List<JsonObject> Pods() => List("pods");
    public List<JsonObject> Pvcs() => List("persistentvolumeclaims");
    public List<JsonObject> Services() => List("services");
    List<JsonObject> List(string plural) => Server.Store.List(Route(plural, Ns), LabelSelector.Parse(null)).Items;

    public JsonObject Pod(string name) => Server.Store.Get(Route("pods", Ns, name));
    public void DeletePod(string name) => Server.Store.Delete(Route("pods", Ns, name), null, null);

    /// <summary>What kubelet would report: the pod is running.</summary>
    public void MarkRunning(string podName)
    {
        var pod = Pod(podName);
        pod["status"] = new JsonObject { ["phase"] = "Running" };
        Server.Store.Update(Route("pods", Ns, podName, "status"), pod);
    }

    public void Dispose()
    {
        foreach (var c in _clients) c.Dispose();
        Server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

static class Json
{
    public static string Name(this JsonObject o) => o["metadata"]!["name"]!.GetValue<string>();
    public static string? Annotation(this JsonObject o, string key) => o["metadata"]!["annotations"]?[key]?.GetValue<string>();
    public static string? Label(this JsonObject o, string key) => o["metadata"]!["labels"]?[key]?.GetValue<string>();
    public static string NodeName(this JsonObject pod) => pod["spec"]!["nodeName"]!.GetValue<string>();
}

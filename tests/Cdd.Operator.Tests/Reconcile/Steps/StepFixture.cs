using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Reconcile.Steps;
using Cdd.Testing.Kube;
using k8s;
using k8s.Models;

namespace Cdd.Operator.Tests.Reconcile.Steps;

/// <summary>
/// Snapshots built by hand for one step at a time: the cluster "orders" in namespace db, members on node-1..node-n with
/// addresses 10.20.0.10+i, and the in-process API server (through <see cref="ReconcileFixture"/>) for the steps that
/// write, with <see cref="Store"/> putting the snapshot's pods there first when a step acts on them.
/// </summary>
sealed class StepFixture : IDisposable
{
    public const string Ns = ReconcileFixture.Ns;
    public readonly ReconcileFixture F = new();
    public readonly IKubernetes Client;

    public StepFixture() => Client = F.NewClient();

    public static ClusterSpec Spec(int members = 3, string image = "mysql:8.4", IReadOnlyList<int>? weights = null)
    {
        var c = Cluster(members);
        c["spec"]!["mysql"]!["image"] = image;
        if (weights is not null) c["spec"]!["mysql"]!["memberWeights"] = new JsonArray([.. weights.Select(w => JsonValue.Create(w))]);
        return ClusterSpec.Parse(c);
    }

    public static JsonObject Cluster(int members)
    {
        var c = OperatorObjects.Cluster("orders", members);
        c["metadata"]!["namespace"] = Ns;
        c["metadata"]!["uid"] = "uid-orders";
        return c;
    }

    public static Dictionary<int, IPAddress> Addresses(int members) =>
        Enumerable.Range(0, members).ToDictionary(i => i, i => IPAddress.Parse($"10.20.0.{10 + i}"));

    /// <summary>The pod the reconciler would make for member <paramref name="ordinal"/> on node-(ordinal+1).</summary>
    public static V1Pod Pod(ClusterSpec spec, int ordinal, bool running = true, bool primary = false, string? image = null)
    {
        var pod = MemberManifests.Pod(spec, ordinal, $"node-{ordinal + 1}", false, Addresses(Math.Max(spec.Members, ordinal + 1)));
        if (running) pod.Status = new V1PodStatus { Phase = "Running" };
        if (primary) pod.Metadata.Labels[MemberNames.RoleLabel] = "primary";
        if (image is not null) pod.Spec.Containers[0].Image = image;
        return pod;
    }

    public static ClusterSnapshot Snapshot(ClusterSpec spec, IEnumerable<V1Pod> pods, IReadOnlyDictionary<int, IPAddress>? addresses = null,
        IReadOnlyDictionary<string, V1PersistentVolumeClaim>? pvcs = null) =>
        new(Cluster(spec.Members), spec, [], pvcs ?? new Dictionary<string, V1PersistentVolumeClaim>(),
            pods.ToDictionary(p => MemberNames.Ordinal(spec.Name, p.Metadata.Name)!.Value), addresses ?? Addresses(spec.Members));

    public PassContext Pass(ClusterSnapshot snapshot) => new(Client, snapshot, CancellationToken.None);

    /// <summary>Puts the snapshot's pods into the API server, so a step's deletes and patches land on something.</summary>
    public void Store(ClusterSnapshot snapshot)
    {
        foreach (var pod in snapshot.Pods.Values)
            F.Server.Store.Create(new KubeRoute("", "v1", "pods", Ns, null, null), JsonNode.Parse(KubernetesJson.Serialize(pod))!.AsObject());
    }

    public List<string> PodNames() => [.. F.Pods().Select(p => p.Name()).Order(StringComparer.Ordinal)];

    public void Dispose() => F.Dispose();
}

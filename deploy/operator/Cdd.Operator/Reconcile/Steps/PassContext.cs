using Cdd.Operator.Model;
using k8s;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// What one pass carries between its steps: the snapshot as the last step left it, the conditions concluded so far,
/// the cancellation, and the live inventory, read at most once per pass and only by a step that needs it (placing
/// members, judging an over-loaded primary host), so a converged pass never lists every node and member pod.
/// </summary>
internal sealed class PassContext(IKubernetes client, ClusterSnapshot snapshot, CancellationToken ct)
{
    readonly List<Condition> _conditions = [];
    Task<LiveObjects>? _inventory;

    public ClusterSnapshot Snapshot { get; private set; } = snapshot;
    public CancellationToken Ct { get; } = ct;
    public IReadOnlyList<Condition> Conditions => _conditions;

    /// <summary>Hands the following steps the cluster as this step left it.</summary>
    public void Update(ClusterSnapshot next) => Snapshot = next;

    public void Report(Condition condition) => _conditions.Add(condition);

    /// <summary>The condition of <paramref name="type"/> a step already concluded in this pass, or null.</summary>
    public Condition? Find(string type) => _conditions.FirstOrDefault(c => c.Type == type);

    public Task<LiveObjects> InventoryAsync() => _inventory ??= ReadInventoryAsync();

    async Task<LiveObjects> ReadInventoryAsync()
    {
        var pods = (await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: MemberNames.ClusterLabel, cancellationToken: Ct)).Items;
        var nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items;
        return new LiveObjects(nodes, pods);
    }
}

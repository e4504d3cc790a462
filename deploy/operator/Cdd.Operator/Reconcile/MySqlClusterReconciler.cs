using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile.Steps;
using k8s;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// Brings one MySQLCluster to its spec. Stateless between calls (everything is read back from the API server), so a
/// restarted operator, or two passes racing, converge to the same objects: names are deterministic and a create that
/// answers 409 means the object is already there. A pass: a cluster gone or deleting is finalized
/// (<see cref="ClusterFinalizer"/>); otherwise the finalizer is added, the spec parsed, the cluster's objects read once
/// (<see cref="SnapshotReader"/>) and the steps run in order, each concluding its condition; the status comes last.
/// </summary>
internal sealed class MySqlClusterReconciler
{
    readonly SnapshotReader _reader;
    readonly ClusterFinalizer _finalizer;
    readonly StatusWriter _status;
    readonly IPrimaryTracker _tracker;
    readonly IKubernetes _client;
    readonly IReadOnlyList<IReconcileStep> _steps;

    public MySqlClusterReconciler(IKubernetes client, IPrimaryPromoter promoter, IMemberAddresses addresses, IPrimaryTracker tracker,
        IMemberSettings settings, TimeProvider time)
    {
        _client = client;
        Clusters = new MySqlClusterApi(client);
        _reader = new SnapshotReader(client, addresses);
        _finalizer = new ClusterFinalizer(client, Clusters, addresses);
        _status = new StatusWriter(Clusters, time);
        _tracker = tracker;
        _steps =
        [
            new EnsureServicesStep(client),
            new EnsureClaimsStep(client),
            new BindAddressesStep(addresses),
            new PlaceMembersStep(client, addresses, Clusters),
            new ScaleDownStep(client),
            new TrackPrimaryStep(tracker),
            new CheckPrimaryHostStep(client, promoter),
            new RollSettingsStep(client, settings),
            new RollPodsStep(client, promoter),
            new WriteStatusStep(_status),
        ];
    }

    public MySqlClusterApi Clusters { get; }

    public async Task<ReconcileOutcome> ReconcileAsync(string ns, string name, CancellationToken ct)
    {
        var cluster = await Clusters.GetAsync(ns, name, ct);
        if (cluster is null || cluster["metadata"]!["deletionTimestamp"] is not null)
        {
            _tracker.Forget(ns, name);
            return cluster is null ? ReconcileOutcome.Gone : await _finalizer.FinalizeAsync(cluster, ct);
        }
        cluster = await _finalizer.EnsureAsync(cluster, ct);

        ClusterSpec spec;
        try
        {
            spec = ClusterSpec.Parse(cluster);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            var invalid = _status.Build(cluster, "Pending", [], 0, null,
                [new Condition(Condition.Placed, false, "InvalidSpec", e.Message), new Condition(Condition.Ready, false, "InvalidSpec", e.Message)]);
            await _status.WriteAsync(ns, name, invalid, ct);
            return ReconcileOutcome.Converged;
        }

        var pass = new PassContext(_client, await _reader.ReadAsync(cluster, spec, ct), ct);
        foreach (var step in _steps)
            if (await step.RunAsync(pass.Snapshot, pass) is { } condition) pass.Report(condition);
        return Converged(pass) ? ReconcileOutcome.Converged : ReconcileOutcome.Requeue;
    }

    /// <summary>
    /// Every member placed, and no settings or pod roll left for a later pass (a collaborator that is not configured
    /// leaves nothing a retry could change).
    /// </summary>
    static bool Converged(PassContext pass) =>
        pass.Find(Condition.Placed)?.Status == true
        && pass.Find(Condition.SettingsApplied) is not { Status: false, Reason: not Condition.NotConfigured }
        && pass.Find(Condition.PodsUpToDate)?.Status != false;
}

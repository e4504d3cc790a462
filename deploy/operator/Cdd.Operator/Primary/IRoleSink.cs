namespace Cdd.Operator.Primary;

/// <summary>
/// Where a <see cref="PrimaryWatcher"/> reports: called once at the first observation of a cluster and then only when
/// the observation changes (status or member). The reconciler implements it by labelling pods (<see cref="KubeRoleSink"/>)
/// and writing the cluster's status.
/// </summary>
internal interface IRoleSink
{
    Task SetPrimaryAsync(string cluster, PrimaryObservation observation, CancellationToken ct);
}

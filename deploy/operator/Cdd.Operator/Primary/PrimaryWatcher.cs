using System.Collections.Concurrent;

namespace Cdd.Operator.Primary;

internal sealed record PrimaryWatcherOptions
{
    /// <summary>The schema holding replication_group_members (tests point it at a plain table on MariaDB).</summary>
    public string Schema { get; init; } = GroupMembersReader.DefaultSchema;
    /// <summary>Time between polls of every cluster; 1 s keeps a role change well within the 5 s goal.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Connect and query timeout per endpoint.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How long <see cref="MySqlPrimaryPromoter"/> lets <c>group_replication_set_as_primary()</c> run: MGR waits for the
    /// old primary's running transactions before it switches.
    /// </summary>
    public TimeSpan PromoteTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The clock of the polls and of every timeout above (tests move it by hand or use the real one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// A cluster to watch: its name, the connection strings of its members (tried in order until one answers; any member
/// of an MGR group reports the whole group) and its members' identities for mapping MEMBER_HOST.
/// </summary>
internal sealed record WatchedCluster(string Name, IReadOnlyList<string> Endpoints, IReadOnlyList<MemberIdentity> Members);

/// <summary>
/// Polls each watched cluster's replication_group_members every <see cref="PrimaryWatcherOptions.PollInterval"/>, decides
/// the primary with <see cref="PrimaryMapping"/> and tells the <see cref="IRoleSink"/> when the observation changes.
/// A server that cannot be reached is reported as <see cref="PrimaryStatus.Unknown"/>; nothing it does stops the loop.
/// </summary>
internal sealed class PrimaryWatcher(IRoleSink sink, PrimaryWatcherOptions? options = null)
{
    readonly PrimaryWatcherOptions _options = options ?? new PrimaryWatcherOptions();
    readonly ConcurrentDictionary<string, WatchedCluster> _clusters = new();
    readonly ConcurrentDictionary<string, PrimaryObservation> _reported = new();

    public PrimaryWatcherOptions Options => _options;

    /// <summary>Adds or replaces a cluster (members or endpoints changed).</summary>
    public void Watch(WatchedCluster cluster) => _clusters[cluster.Name] = cluster;

    public void Unwatch(string cluster)
    {
        _clusters.TryRemove(cluster, out _);
        _reported.TryRemove(cluster, out _);
    }

    /// <summary>The last observation handed to the sink for <paramref name="cluster"/>, if any.</summary>
    public PrimaryObservation? LastReported(string cluster) => _reported.TryGetValue(cluster, out var o) ? o : null;

    readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, MemberHealth>> _health = new();

    /// <summary>Each member's version and applier queue from the last answer (not part of the observation: lag changing does not queue the cluster).</summary>
    public IReadOnlyDictionary<string, MemberHealth> LastHealth(string cluster) =>
        _health.TryGetValue(cluster, out var h) ? h : new Dictionary<string, MemberHealth>();

    /// <summary>
    /// Polls until cancelled. Each tick starts a poll of every cluster whose previous poll has finished, so a cluster
    /// whose server hangs until <see cref="PrimaryWatcherOptions.QueryTimeout"/> delays only itself, never the others.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var inFlight = new Dictionary<string, Task>();
        using var timer = new PeriodicTimer(_options.PollInterval, _options.Time);
        do
        {
            foreach (var done in inFlight.Where(kv => kv.Value.IsCompleted).Select(kv => kv.Key).ToList())
                inFlight.Remove(done);
            foreach (var cluster in _clusters.Values)
                if (!inFlight.ContainsKey(cluster.Name))
                    inFlight[cluster.Name] = Task.Run(() => PollClusterAsync(cluster, ct), CancellationToken.None);
        }
        while (await WaitTick(timer, ct));
        await Task.WhenAll(inFlight.Values);
    }

    static async Task<bool> WaitTick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>One round over every watched cluster, in parallel.</summary>
    public Task PollOnceAsync(CancellationToken ct) =>
        Task.WhenAll(_clusters.Values.Select(c => PollClusterAsync(c, ct)));

    async Task PollClusterAsync(WatchedCluster cluster, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return;
        var observation = await ObserveAsync(cluster, ct);
        if (ct.IsCancellationRequested) return;
        if (_reported.TryGetValue(cluster.Name, out var last) && last == observation) return;
        if (!_clusters.ContainsKey(cluster.Name)) return;
        try
        {
            await sink.SetPrimaryAsync(cluster.Name, observation, ct);
            _reported[cluster.Name] = observation;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Not recorded as reported: the next poll tries the sink again.
            Console.Error.WriteLine($"cdd-operator: primary of {cluster.Name}: reporting {observation.Status} {observation.Member} failed: {e.Message}");
        }
    }

    /// <summary>
    /// Asks the endpoints in order; the first whose answer is a group's view decides (<see cref="PrimaryMapping.IsGroupView"/>).
    /// A member outside the group (OFFLINE, ERROR) lists only itself: its row is kept, so the status shows its state and
    /// last error, and the next endpoint is asked. When every endpoint answered and none gives a group's view, the
    /// outsiders' rows decide (no primary, with their states); when some could not be asked, the primary is unknown
    /// (the group may well have one there).
    /// </summary>
    public async Task<PrimaryObservation> ObserveAsync(WatchedCluster cluster, CancellationToken ct)
    {
        if (cluster.Endpoints.Count == 0) return PrimaryObservation.Unreachable("no endpoint to ask");
        var errors = new List<string>();
        var outsiders = new List<GroupMemberRow>();
        foreach (var endpoint in cluster.Endpoints)
        {
            try
            {
                var rows = await GroupMembersReader.ReadAsync(endpoint, _options.Schema, _options.QueryTimeout, _options.Time, ct);
                if (!PrimaryMapping.IsGroupView(rows))
                {
                    outsiders.AddRange(rows);
                    continue;
                }
                return Decided(cluster, PrimaryMapping.WithOutsiders(rows, outsiders));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return PrimaryObservation.Unreachable("cancelled");
            }
            catch (Exception e)
            {
                errors.Add(Describe(endpoint, e));
            }
        }
        if (errors.Count == 0) return Decided(cluster, outsiders);
        if (outsiders.Count > 0)
        {
            _health[cluster.Name] = PrimaryMapping.Health(outsiders, cluster.Members);
            errors.AddRange(outsiders.Select(o => $"{o.Host.Trim()}: {o.State.Trim()}, outside the group"));
        }
        return PrimaryObservation.Unreachable(string.Join("; ", errors));
    }

    PrimaryObservation Decided(WatchedCluster cluster, IReadOnlyList<GroupMemberRow> rows)
    {
        _health[cluster.Name] = PrimaryMapping.Health(rows, cluster.Members);
        return PrimaryMapping.Decide(rows, cluster.Members);
    }

    static string Describe(string endpoint, Exception e) =>
        e is OperationCanceledException
            ? $"{GroupMembersReader.HostPort(endpoint)}: timed out"
            : $"{GroupMembersReader.HostPort(endpoint)}: {e.Message}";
}

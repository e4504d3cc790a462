using System.Threading.Channels;
using Cdd.Operator.Primary;

namespace Cdd.Operator.Tests.Primary;

/// <summary>
/// Records every report; tests wait for one matching a condition with a generous timeout (no speed assertions).
/// Each cluster has its own queue, so waiting for one cluster never consumes another's reports.
/// </summary>
sealed class RecordingSink : IRoleSink
{
    readonly Dictionary<string, Channel<PrimaryObservation>> _reports = [];
    public List<(string Cluster, PrimaryObservation Observation)> All { get; } = [];

    Channel<PrimaryObservation> Queue(string cluster)
    {
        lock (_reports)
            return _reports.TryGetValue(cluster, out var q) ? q : _reports[cluster] = Channel.CreateUnbounded<PrimaryObservation>();
    }

    public Task SetPrimaryAsync(string cluster, PrimaryObservation observation, CancellationToken ct)
    {
        lock (All) All.Add((cluster, observation));
        Queue(cluster).Writer.TryWrite(observation);
        return Task.CompletedTask;
    }

    public async Task<PrimaryObservation> WaitFor(string cluster, Func<PrimaryObservation, bool> match, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var o = await Queue(cluster).Reader.ReadAsync(cts.Token);
                if (match(o)) return o;
            }
        }
        catch (OperationCanceledException)
        {
            lock (All) throw new TimeoutException($"no report of {what} for {cluster} within 60 s; reports: {string.Join("; ", All.Select(r => $"{r.Cluster} {r.Observation}"))}");
        }
    }
}

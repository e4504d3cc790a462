using System.Threading.Channels;
using Cdd.Operator.Primary;

namespace Cdd.Operator.Tests.Primary;

/// <summary>Records every report; tests wait for one matching a condition with a generous timeout (no speed assertions).</summary>
sealed class RecordingSink : IRoleSink
{
    readonly Channel<(string Cluster, PrimaryObservation Observation)> _reports = Channel.CreateUnbounded<(string, PrimaryObservation)>();
    public List<(string Cluster, PrimaryObservation Observation)> All { get; } = [];

    public Task SetPrimaryAsync(string cluster, PrimaryObservation observation, CancellationToken ct)
    {
        lock (All) All.Add((cluster, observation));
        _reports.Writer.TryWrite((cluster, observation));
        return Task.CompletedTask;
    }

    public async Task<PrimaryObservation> WaitFor(string cluster, Func<PrimaryObservation, bool> match, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var (c, o) = await _reports.Reader.ReadAsync(cts.Token);
                if (c == cluster && match(o)) return o;
            }
        }
        catch (OperationCanceledException)
        {
            lock (All) throw new TimeoutException($"no report of {what} for {cluster} within 60 s; reports: {string.Join("; ", All.Select(r => $"{r.Cluster} {r.Observation}"))}");
        }
    }
}

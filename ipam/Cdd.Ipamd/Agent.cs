using System.Net;
using Cdd.Ipam.Cluster;
using Cdd.Ipam.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ILogger = Serilog.ILogger;

namespace Cdd.Ipamd;

/// <summary>What the agent is told at start-up.</summary>
internal sealed record AgentOptions
{
    public required string NodeName { get; init; }
    public required string SocketPath { get; init; }
    /// <summary>Health and metrics (HTTP): /healthz, /readyz, /metrics. Null: not served.</summary>
    public IPEndPoint? Http { get; init; }
    /// <summary>How long a reservation must look leaked (its pod gone) before it is released. Null: no leak collection.</summary>
    public TimeSpan? LeakGrace { get; init; }
    /// <summary>How often leaks are swept and pool status is written.</summary>
    public TimeSpan HousekeepingInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Kubernetes: where the Lease naming the one agent that writes pool status lives (namespace, name).</summary>
    public string StatusLeaseNamespace { get; init; } = "cdd-system";
    public string StatusLeaseName { get; init; } = "cdd-ipamd-pool-status";
    /// <summary>Requests working at once, and in the agent at all (working or waiting); beyond that: code 11 at once.</summary>
    public int ConcurrentRequests { get; init; } = 64;
    public int QueuedRequests { get; init; } = 512;
}

/// <summary>
/// The running agent: the plugin socket, the housekeeping loop (pool status, leak collection) and the HTTP endpoints
/// for health and metrics. Disposing stops all of them and removes the socket.
/// </summary>
internal sealed class Agent : IAsyncDisposable
{
    readonly SocketServer _socket;
    readonly WebApplication? _http;
    readonly CancellationTokenSource _stop = new();
    readonly Task _housekeeping;
    readonly ILogger _log;
    readonly Task _readyToServe;
    readonly TaskCompletionSource _serving;

    Agent(AgentOptions options, AgentCore core, SocketServer socket, WebApplication? http, PoolStatusReporter status, LeakCollector? leaks, ILogger log,
        Task ready, TaskCompletionSource serving)
    {
        _readyToServe = ready;
        _serving = serving;
        Options = options;
        Core = core;
        _socket = socket;
        _http = http;
        Status = status;
        Leaks = leaks;
        _log = log;
        _housekeeping = Task.Run(HousekeepingLoop);
    }

    public AgentOptions Options { get; }
    public AgentCore Core { get; }
    public PoolStatusReporter Status { get; }
    public LeakCollector? Leaks { get; }
    public AgentMetrics Metrics { get; private init; } = null!;
    IAsyncDisposable? Owned { get; init; }
    /// <summary>The bound HTTP address (the port is picked when options asked for 0).</summary>
    public Uri? HttpAddress { get; private set; }

    /// <param name="owned">Disposed with the agent (the Kubernetes connection and its watches).</param>
    /// <param name="startup">What must arrive before requests are served (null: nothing); until then they are code 11 and /readyz says why.</param>
    /// <param name="statusWriter">Whether this agent writes pool status now, and how it counts a segment (null: always, from its snapshot).</param>
    public static async Task<Agent> StartAsync(AgentOptions options, IClusterView view, IPoolStores stores, bool podsRequired, ILogger log,
        TimeProvider? clock = null, IAsyncDisposable? owned = null, IStartup? startup = null,
        (Func<CancellationToken, Task<bool>> IsWriter, Func<string, string, CancellationToken, Task<long>> Count)? statusWriter = null)
    {
        var metrics = new AgentMetrics();
        var core = new AgentCore(view, stores, options.NodeName, metrics, log, podsRequired, clock,
            new Requests.RequestQueue(options.ConcurrentRequests, options.QueuedRequests));
        var status = new PoolStatusReporter(view, stores, metrics, statusWriter?.IsWriter, statusWriter?.Count);
        var leaks = options.LeakGrace is { } grace
            ? new LeakCollector(view, stores, options.NodeName, grace, clock ?? TimeProvider.System, metrics, log, core)
            : null;
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        core.NotReadyWhile(() => serving.Task.IsCompleted ? null : startup?.Reason is { Length: > 0 } why ? why : "reading what this node holds");
        var socket = SocketServer.Start(options.SocketPath, core.HandleAsync, log);
        WebApplication? http = null;
        Agent? agent = null;
        try
        {
            if (options.Http is { } endpoint)
            {
                // No config reload: its watcher walks the content root (default: the working directory, a node's /)
                // with inotify, which can take minutes before the first request is served.
                var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
                {
                    Args = ["--hostBuilder:reloadConfigOnChange=false"],
                    ContentRootPath = AppContext.BaseDirectory,
                });
                builder.Logging.ClearProviders();
                builder.WebHost.UseKestrel(k => k.Listen(endpoint));
                http = builder.Build();
                http.MapGet("/healthz", () => Results.Text("ok\n"));
                http.MapGet("/readyz", () => serving.Task.IsCompleted
                    ? Results.Text("ready\n")
                    : Results.Text($"not ready: {(startup?.Reason is { Length: > 0 } why ? why : "reading what this node holds")}\n", statusCode: 503));
                http.MapGet("/metrics", () => Results.Text(metrics.Export(), "text/plain; version=0.0.4"));
                await http.StartAsync();
            }
            if (startup is null)
            {
                // Nothing to wait for (the file store): serve from the first request on.
                await core.SeedAsync(default);
                serving.TrySetResult();
            }
            agent = new Agent(options, core, socket, http, status, leaks, log, startup?.Ready ?? Task.CompletedTask, serving) { Metrics = metrics, Owned = owned };
            if (http is not null)
                agent.HttpAddress = new Uri(http.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
            log.Information("ipamd.started {Node} {Socket} {Http} {Pools}", options.NodeName, options.SocketPath, agent.HttpAddress?.ToString(), view.Pools.Select(p => p.Name).ToArray());
            return agent;
        }
        catch
        {
            await socket.DisposeAsync();
            if (http is not null) await http.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes when the agent serves requests (its start-up lists arrived and what this node holds is known).</summary>
    public Task Serving => _serving.Task;

    /// <summary>One round of housekeeping: pool status, then leaks. Public so tests can drive it without waiting.</summary>
    public async Task HousekeepAsync(CancellationToken ct)
    {
        try
        {
            await Status.ReportAsync(ct);
        }
        finally
        {
            // A status round the API server refused does not keep leaks in place.
            if (Leaks is not null) await Leaks.SweepAsync(ct);
        }
    }

    /// <summary>
    /// Waits for start-up, then learns the attachments that held addresses before this agent started (a previous agent
    /// answered for them), so the leak collector judges only claims made since, and serves.
    /// </summary>
    async Task BecomeReadyAsync(CancellationToken ct)
    {
        if (_serving.Task.IsCompleted) return;
        await _readyToServe.WaitAsync(ct);
        while (true)
        {
            try
            {
                await Core.SeedAsync(ct);
                break;
            }
            catch (Exception ex) when (ex is StoreUnavailableException or IOException)
            {
                _log.Warning("ipamd.start.waiting {Reason}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        _serving.TrySetResult();
    }

    async Task HousekeepingLoop()
    {
        try
        {
            await BecomeReadyAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await HousekeepAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _log.Warning(ex, "ipamd.housekeeping.failed");
            }
            try
            {
                await Task.Delay(Options.HousekeepingInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Core.Stop();
        await _socket.DisposeAsync();
        try
        {
            await _housekeeping;
        }
        catch (OperationCanceledException)
        {
        }
        if (_http is not null)
        {
            await _http.StopAsync();
            await _http.DisposeAsync();
        }
        if (Owned is not null) await Owned.DisposeAsync();
        Core.Dispose();
        _stop.Dispose();
        _log.Information("ipamd.stopped {Node}", Options.NodeName);
    }
}

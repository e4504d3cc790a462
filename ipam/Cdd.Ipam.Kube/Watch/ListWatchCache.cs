using System.Globalization;
using Cdd.Ipam.Kube.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cdd.Ipam.Kube.Watch;

/// <summary>
/// A list-then-watch cache of one kind of object, as an informer keeps it: LIST, then WATCH from the list's
/// resourceVersion with bookmarks; a stream that ends (server timeout, dropped connection) is resumed from the last
/// resourceVersion seen; a watch the server refuses as too old (410 Gone, an ERROR event) or one that cannot be read
/// starts over with a LIST. The caller's own writes are applied at once (<see cref="Upsert"/>, <see cref="Remove"/>),
/// ordered against watch events by resourceVersion, so a late event never resurrects what this agent just deleted.
/// </summary>
internal sealed class ListWatchCache<TObj, TValue> : IAsyncDisposable
    where TObj : class, IKubernetesObject<V1ObjectMeta>
    where TValue : class
{
    /// <summary>LIST (resourceVersion null, watch false) or WATCH (from a resourceVersion, watch true).</summary>
    public delegate Task<HttpOperationResponse<KubeList<TObj>>> Call(string? resourceVersion, bool watch, CancellationToken ct);

    readonly Call _call;
    readonly Func<TObj, TValue?> _decode;
    readonly TimeSpan _retryDelay;
    readonly Lock _lock = new();
    readonly Dictionary<string, (TValue Value, long Rv)> _items = [];
    readonly Dictionary<string, long> _tombstones = [];
    readonly CancellationTokenSource _stop = new();
    readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    IReadOnlyList<TValue>? _values;
    string? _watchRv;
    Task? _loop;

    public ListWatchCache(Call call, Func<TObj, TValue?> decode, TimeSpan retryDelay)
    {
        _call = call;
        _decode = decode;
        _retryDelay = retryDelay;
    }

    public long Relists;
    public long Resumes;
    /// <summary>Longest pause between tries after failures in a row (the first pause is the retry delay, doubled each time).</summary>
    public static TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Why the last LIST or WATCH failed (status or socket error only), or null after a success.</summary>
    public string? LastError { get; private set; }

    public bool IsSynced => _synced.Task.IsCompleted;

    /// <summary>Completes after the first LIST has been applied.</summary>
    public Task Synced => _synced.Task;

    public void Start() => _loop ??= Task.Run(RunAsync);

    public IReadOnlyList<TValue> Values
    {
        get
        {
            lock (_lock) return _values ??= [.. _items.Values.Select(v => v.Value)];
        }
    }

    public TValue? Find(string name)
    {
        lock (_lock) return _items.TryGetValue(name, out var v) ? v.Value : null;
    }

    /// <summary>Applies an object this process wrote (or a watch delivered) unless the cache already has a newer one.</summary>
    public void Upsert(TObj obj)
    {
        string? name = obj.Metadata?.Name;
        long rv = Rv(obj.Metadata?.ResourceVersion);
        if (name is null) return;
        var value = _decode(obj);
        lock (_lock)
        {
            if (_items.TryGetValue(name, out var have) && have.Rv >= rv) return;
            if (_tombstones.TryGetValue(name, out var gone) && gone >= rv) return;
            _tombstones.Remove(name);
            if (value is null) _items.Remove(name);
            else _items[name] = (value, rv);
            _values = null;
        }
    }

    /// <summary>Forgets an object deleted at <paramref name="resourceVersion"/> (or later), unless a newer one is cached.</summary>
    public void Remove(string name, string? resourceVersion)
    {
        long rv = Rv(resourceVersion);
        lock (_lock)
        {
            if (_items.TryGetValue(name, out var have) && have.Rv > rv) return;
            _items.Remove(name);
            _tombstones[name] = Math.Max(rv, _tombstones.GetValueOrDefault(name));
            _values = null;
        }
    }

    async Task RunAsync()
    {
        var ct = _stop.Token;
        bool relist = true;
        var pause = _retryDelay;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (relist)
                {
                    await ListAsync(ct);
                    relist = false;
                }
                LastError = null;
                pause = _retryDelay;
                relist = await WatchAsync(ct);
                Interlocked.Increment(ref Resumes);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // 410 Gone, an unreadable event: only a new LIST restores a view we can trust. A refused or failed
                // request keeps its place: the watch resumes from the last resourceVersion once the server answers.
                relist = relist || !ApiFailure.IsTransient(e, ct) || ApiFailure.IsGone(e);
                LastError = ApiFailure.Describe(e);
                // Backing off: thousands of agents retrying a struggling API server every 200 ms would keep it down.
                try { await Task.Delay(pause, ct); } catch (OperationCanceledException) { }
                pause = pause * 2 < MaxBackoff ? pause * 2 : MaxBackoff;
            }
        }
    }

    async Task ListAsync(CancellationToken ct)
    {
        using var res = await _call(null, false, ct);
        var list = res.Body ?? throw new FormatException("the LIST answer has no body");
        var fresh = new Dictionary<string, (TValue, long)>();
        foreach (var obj in list.Items ?? [])
            if (obj?.Metadata?.Name is { } name && _decode(obj) is { } value) fresh[name] = (value, Rv(obj.Metadata.ResourceVersion));
        lock (_lock)
        {
            _items.Clear();
            foreach (var (k, v) in fresh) _items[k] = v;
            _tombstones.Clear();
            _values = null;
            _watchRv = list.Metadata?.ResourceVersion;
        }
        Interlocked.Increment(ref Relists);
        _synced.TrySetResult();
    }

    /// <summary>Follows one watch stream to its end; true when the cache must LIST again.</summary>
    async Task<bool> WatchAsync(CancellationToken ct)
    {
        Exception? broken = null;
        // The typed watch over a custom resource's list call is marked obsolete in favour of per-kind WatchList
        // methods, which exist only untyped (object) for custom resources.
#pragma warning disable CS0618
        var stream = _call(_watchRv, true, ct).WatchAsync<TObj, KubeList<TObj>>(e => broken ??= e, ct);
#pragma warning restore CS0618
        await foreach (var (type, obj) in stream)
        {
            if (broken is not null || obj?.Metadata is null) return true;
            switch (type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    Upsert(obj);
                    break;
                case WatchEventType.Deleted:
                    if (obj.Metadata.Name is { } name) Remove(name, obj.Metadata.ResourceVersion);
                    break;
                case WatchEventType.Bookmark:
                    break;
                default:
                    return true; // ERROR: the server says our resourceVersion is gone (410) or the watch broke
            }
            lock (_lock)
            {
                _watchRv = obj.Metadata.ResourceVersion ?? _watchRv;
                // Deletions older than where the watch stands can no longer be contradicted by a late event.
                long at = Rv(_watchRv);
                foreach (var k in _tombstones.Where(t => t.Value <= at).Select(t => t.Key).ToList()) _tombstones.Remove(k);
            }
        }
        return broken is not null;
    }

    /// <summary>resourceVersions are etcd revisions; an unparsable one sorts first, so the next event replaces it.</summary>
    static long Rv(string? rv) => long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null)
            try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

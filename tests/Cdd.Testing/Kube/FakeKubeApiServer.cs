using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Cdd.Testing.Kube;

/// <summary>
/// An in-process Kubernetes API server for tests, on plain HTTP on 127.0.0.1: create, get, list, update (object and
/// /status), delete with preconditions, and watch from a resourceVersion with an initial bookmark, for the resources
/// registered with <see cref="Serve"/>; anything else is 404. <see cref="Faults"/> injects latency, 409/500/503 and
/// dropped watch streams. <see cref="WriteKubeconfig"/> points a client at it.
/// </summary>
public sealed class FakeKubeApiServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly HashSet<string> _served = [];
    readonly Dictionary<string, string> _kinds = [];
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    public FakeKubeApiServer()
    {
        // HttpListener cannot bind port 0; borrow a free port from the kernel first.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public Uri BaseAddress { get; }
    public KubeObjectStore Store { get; } = new();
    public KubeFaults Faults { get; } = new();

    /// <summary>
    /// Every request whose path names a resource, served or not, as RBAC reads it: a test derives from it the verbs and
    /// resources a component uses (tests/Cdd.Deploy.Tests compares them with the component's role both ways).
    /// </summary>
    public System.Collections.Concurrent.ConcurrentQueue<KubeRequest> Requests { get; } = new();

    /// <summary>Every request as it arrives: method and path with query (e.g. to count LISTs without resourceVersion).</summary>
    public event Action<string, Uri>? Requested;

    /// <summary>Makes a resource known, e.g. ("cdd.io", "v1", "ipreservations", "IPReservation").</summary>
    public FakeKubeApiServer Serve(string group, string version, string plural, string kind)
    {
        _served.Add($"{group}/{version}/{plural}");
        _kinds[$"{group}/{version}/{plural}"] = kind;
        return this;
    }

    public string WriteKubeconfig(string path)
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {BaseAddress.ToString().TrimEnd('/')}
            users:
            - name: fake
              user:
                token: fake-token
            contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
            current-context: fake
            """);
        return path;
    }

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    async Task Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        var res = ctx.Response;
        try
        {
            Requested?.Invoke(req.HttpMethod, req.Url!);
            if (Faults.Latency > TimeSpan.Zero) await Task.Delay(Faults.Latency, _stop.Token);
            if (Faults.Stall > TimeSpan.Zero && Faults.StallMethods?.Contains(req.HttpMethod) == true) await Task.Delay(Faults.Stall, _stop.Token);
            var route = KubeRoute.Parse(req.Url!.AbsolutePath) ?? throw KubeError.NotFound($"path {req.Url.AbsolutePath}");
            var query = System.Web.HttpUtility.ParseQueryString(req.Url.Query);
            Requests.Enqueue(KubeRequest.Of(req.HttpMethod, route, query["watch"] is "true" or "1"));
            if (!_served.Contains(route.Resource)) throw KubeError.NotFound($"resource {route.Resource}");
            InjectFaults(req.HttpMethod);
            var selector = LabelSelector.Parse(query["labelSelector"]);

            switch (req.HttpMethod, route.Name)
            {
                case ("GET", null) when query["watch"] is "true" or "1":
                    await Watch(res, route, selector, long.TryParse(query["resourceVersion"], out var from) && from > 0 ? from : null,
                        query["allowWatchBookmarks"] == "true", int.TryParse(query["timeoutSeconds"], out var t) ? t : 0);
                    return;
                case ("GET", null):
                    var (items, rv) = Store.List(route, selector);
                    await Reply(res, 200, new JsonObject
                    {
                        ["apiVersion"] = ApiVersion(route), ["kind"] = _kinds[route.Resource] + "List",
                        ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString() },
                        ["items"] = new JsonArray([.. items]),
                    });
                    return;
                case ("GET", _):
                    await Reply(res, 200, Store.Get(route));
                    return;
                case ("POST", null):
                    await ReplyToWrite(res, 201, Store.Create(route, await Body(req)));
                    return;
                case ("PUT", not null):
                    await ReplyToWrite(res, 200, Store.Update(route, await Body(req)));
                    return;
                case ("PATCH", not null):
                    await ReplyToWrite(res, 200, Store.Patch(route, req.ContentType, await Body<JsonNode>(req)));
                    return;
                case ("DELETE", not null):
                    var options = req.HasEntityBody ? await Body(req) : null;
                    var pre = options?["preconditions"];
                    await ReplyToWrite(res, 200, Store.Delete(route, pre?["uid"]?.GetValue<string>(), pre?["resourceVersion"]?.GetValue<string>()));
                    return;
                default:
                    throw new KubeError(405, "MethodNotAllowed", $"{req.HttpMethod} {req.Url.AbsolutePath} is not supported");
            }
        }
        catch (KubeError e)
        {
            await Reply(res, e.Code, e.ToStatus());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or NullReferenceException)
        {
            // A request the fake cannot make sense of must still be answered, or the client hangs on it.
            await Reply(res, 500, new KubeError(500, "InternalError", $"{e.GetType().Name}: {e.Message}").ToStatus());
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or the server is stopping.
        }
    }

    void InjectFaults(string method)
    {
        if (Faults.Methods is { } only && !only.Contains(method)) return;
        bool write = method is "POST" or "PUT" or "DELETE" or "PATCH";
        if (write && Faults.Roll(Faults.ConflictRate)) throw KubeError.Conflict("injected conflict");
        if (Faults.Roll(Faults.InternalErrorRate)) throw new KubeError(500, "InternalError", "injected internal error");
        if (Faults.Roll(Faults.UnavailableRate)) throw new KubeError(503, "ServiceUnavailable", "injected unavailability");
    }

    /// <summary>
    /// A watch from <paramref name="start"/>; without one (resourceVersion unset or "0") it first sends every object that
    /// exists now as a synthetic ADDED, as the real server does, then the changes after that list.
    /// </summary>
    async Task Watch(HttpListenerResponse res, KubeRoute route, LabelSelector selector, long? start, bool bookmarks, int timeoutSeconds)
    {
        res.StatusCode = 200;
        res.ContentType = "application/json";
        res.SendChunked = true;
        using var wake = new SemaphoreSlim(0);
        void Pulse() => wake.Release();
        Store.Changed += Pulse;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var lifetime = timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) : Timeout.InfiniteTimeSpan;
        if (Faults.WatchLifetime > TimeSpan.Zero && (lifetime == Timeout.InfiniteTimeSpan || Faults.WatchLifetime < lifetime)) lifetime = Faults.WatchLifetime;
        if (lifetime != Timeout.InfiniteTimeSpan) timeout.CancelAfter(lifetime);
        try
        {
            List<JsonObject>? initial = null;
            long from;
            if (start is { } rv) from = rv;
            else (initial, from) = Store.List(route, selector);
            long sent = from;
            foreach (var o in initial ?? []) await WriteEvent(res, "ADDED", o);
            if (from < Store.CompactedThrough)
            {
                // The real server answers a watch from a compacted revision with one ERROR event carrying 410 Expired.
                await WriteEvent(res, "ERROR", new KubeError(410, "Expired", $"too old resource version: {from} ({Store.CompactedThrough})").ToStatus());
                return;
            }
            // A bookmark may only name a revision whose events the client has: here, the one it asked to start from.
            if (bookmarks) await WriteEvent(res, "BOOKMARK", Bookmark(route, from));
            while (true)
            {
                if (sent < Store.CompactedThrough)
                {
                    await WriteEvent(res, "ERROR", new KubeError(410, "Expired", $"too old resource version: {sent} ({Store.CompactedThrough})").ToStatus());
                    return;
                }
                // A lagging watch (a loaded API server or agent): changes reach the stream this much later.
                if (Faults.WatchLag > TimeSpan.Zero) await Task.Delay(Faults.WatchLag, timeout.Token);
                foreach (var e in Store.EventsAfter(route, sent, selector))
                {
                    await WriteEvent(res, e.Type, e.Object);
                    sent = e.ResourceVersion;
                    if (Faults.Roll(Faults.WatchDropRate)) return;
                }
                await wake.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds ran out or the server stops: the stream ends as the real server ends it.
        }
        finally
        {
            Store.Changed -= Pulse;
            try { res.Close(); } catch (Exception) { }
        }
    }

    JsonObject Bookmark(KubeRoute route, long rv) => new()
    {
        ["apiVersion"] = ApiVersion(route), ["kind"] = _kinds[route.Resource],
        ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString() },
    };

    static async Task WriteEvent(HttpListenerResponse res, string type, JsonObject obj)
    {
        var line = Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n");
        await res.OutputStream.WriteAsync(line);
        await res.OutputStream.FlushAsync();
    }

    static string ApiVersion(KubeRoute r) => r.Group == "" ? r.Version : $"{r.Group}/{r.Version}";

    /// <summary>The write is applied; with <see cref="KubeFaults.LostReplyRate"/> its answer is a 500 all the same.</summary>
    async Task ReplyToWrite(HttpListenerResponse res, int code, JsonObject body)
    {
        if (Faults.Roll(Faults.LostReplyRate))
            body = new KubeError(code = 500, "InternalError", "injected lost reply (the write was applied)").ToStatus();
        await Reply(res, code, body);
    }

    static Task<JsonObject> Body(HttpListenerRequest req) => Body<JsonObject>(req);

    static async Task<T> Body<T>(HttpListenerRequest req) where T : JsonNode
    {
        using var reader = new StreamReader(req.InputStream, Encoding.UTF8);
        string text = await reader.ReadToEndAsync();
        try
        {
            return JsonNode.Parse(text) as T ?? throw new KubeError(400, "BadRequest", $"the body must be a JSON {(typeof(T) == typeof(JsonObject) ? "object" : "document")}");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new KubeError(400, "BadRequest", $"the body is not JSON: {e.Message}");
        }
    }

    static async Task Reply(HttpListenerResponse res, int code, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        res.StatusCode = code;
        res.ContentType = "application/json";
        res.ContentLength64 = bytes.Length;
        await res.OutputStream.WriteAsync(bytes);
        res.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Testing.Kube;

namespace Cdd.Ipam.Tests.Kubernetes;

/// <summary>The fake API server must be as strict as the real one where a client could get away with a mistake.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class FakeKubeApiServerTests : IDisposable
{
    const string Path = "apis/cdd.io/v1/ipreservations";
    readonly FakeKubeApiServer _api = new FakeKubeApiServer().Serve("cdd.io", "v1", "ipreservations", "IPReservation");
    readonly HttpClient _http;

    public FakeKubeApiServerTests() => _http = new HttpClient { BaseAddress = _api.BaseAddress };

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    static JsonObject Obj(string name, string address = "10.0.0.2", Dictionary<string, string>? labels = null, params string[] finalizers)
    {
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null) meta["labels"] = new JsonObject([.. labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]);
        if (finalizers.Length > 0) meta["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)f)]);
        return new JsonObject { ["apiVersion"] = "cdd.io/v1", ["kind"] = "IPReservation", ["metadata"] = meta, ["spec"] = new JsonObject { ["address"] = address } };
    }

    async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpMethod method, string path, JsonObject? body = null)
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null) req.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var res = await _http.SendAsync(req);
        return (res.StatusCode, (JsonObject)JsonNode.Parse(await res.Content.ReadAsStringAsync())!);
    }

    async Task<JsonObject> Created(JsonObject o)
    {
        var (code, body) = await Send(HttpMethod.Post, Path, o);
        Assert.Equal(HttpStatusCode.Created, code);
        return body;
    }

    static string Rv(JsonObject o) => o["metadata"]!["resourceVersion"]!.GetValue<string>();

    [Fact]
    public async Task Creating_an_existing_name_is_409_already_exists()
    {
        await Created(Obj("pool-10-0-0-2"));
        var (code, status) = await Send(HttpMethod.Post, Path, Obj("pool-10-0-0-2"));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("AlreadyExists", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_update_with_a_stale_or_missing_resource_version_is_409()
    {
        var v1 = await Created(Obj("r"));
        var v2 = (await Send(HttpMethod.Put, $"{Path}/r", v1)).Body;
        Assert.NotEqual(Rv(v1), Rv(v2));
        var (stale, _) = await Send(HttpMethod.Put, $"{Path}/r", v1);
        Assert.Equal(HttpStatusCode.Conflict, stale);
        var blind = (JsonObject)v2.DeepClone();
        ((JsonObject)blind["metadata"]!).Remove("resourceVersion");
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Put, $"{Path}/r", blind)).Code);
    }

    [Fact]
    public async Task A_delete_whose_uid_or_version_precondition_fails_is_409_and_keeps_the_object()
    {
        var held = await Created(Obj("r"));
        var wrongUid = new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = "someone-else" } };
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Delete, $"{Path}/r", wrongUid)).Code);
        var staleRv = new JsonObject { ["preconditions"] = new JsonObject { ["resourceVersion"] = "0" } };
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Delete, $"{Path}/r", staleRv)).Code);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"{Path}/r")).Code);

        var right = new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = held["metadata"]!["uid"]!.DeepClone(), ["resourceVersion"] = Rv(held) } };
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Delete, $"{Path}/r", right)).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"{Path}/r")).Code);
    }

    [Fact]
    public async Task A_list_honours_the_label_selector()
    {
        await Created(Obj("a", labels: new() { ["cdd.io/pool"] = "mysql", ["cdd.io/node"] = "n1" }));
        await Created(Obj("b", labels: new() { ["cdd.io/pool"] = "mysql", ["cdd.io/node"] = "n2" }));
        await Created(Obj("c", labels: new() { ["cdd.io/pool"] = "other" }));
        var (_, list) = await Send(HttpMethod.Get, $"{Path}?labelSelector=cdd.io/pool=mysql,cdd.io/node!=n2");
        Assert.Equal("IPReservationList", list["kind"]!.GetValue<string>());
        Assert.Equal(["a"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_status_subresource_is_the_only_way_to_write_status()
    {
        var o = await Created(Obj("r"));
        o["status"] = new JsonObject { ["phase"] = "Bound" };
        var viaObject = (await Send(HttpMethod.Put, $"{Path}/r", o)).Body;
        Assert.Null(viaObject["status"]);
        viaObject["status"] = new JsonObject { ["phase"] = "Bound" };
        viaObject["spec"] = new JsonObject { ["address"] = "10.9.9.9" };
        var viaStatus = (await Send(HttpMethod.Put, $"{Path}/r/status", viaObject)).Body;
        Assert.Equal("Bound", viaStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("10.0.0.2", viaStatus["spec"]!["address"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_object_with_finalizers_is_only_marked_until_they_are_removed()
    {
        await Created(Obj("r", finalizers: "cdd.io/release"));
        var marked = (await Send(HttpMethod.Delete, $"{Path}/r")).Body;
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"{Path}/r")).Code);
        ((JsonObject)marked["metadata"]!).Remove("finalizers");
        await Send(HttpMethod.Put, $"{Path}/r", marked);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, $"{Path}/r")).Code);
    }

    [Fact]
    public async Task A_watch_from_a_resource_version_replays_later_events_after_a_bookmark()
    {
        var first = await Created(Obj("a"));
        await Created(Obj("b"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not an assertion
        using var stream = await _http.GetStreamAsync($"{Path}?watch=true&allowWatchBookmarks=true&resourceVersion={Rv(first)}", cts.Token);
        using var reader = new StreamReader(stream);
        async Task<JsonObject> Next() => (JsonObject)JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;

        Assert.Equal("BOOKMARK", (await Next())["type"]!.GetValue<string>());
        var added = await Next();
        Assert.Equal("ADDED", added["type"]!.GetValue<string>());
        Assert.Equal("b", added["object"]!["metadata"]!["name"]!.GetValue<string>());
        await Send(HttpMethod.Delete, $"{Path}/a");
        var deleted = await Next();
        Assert.Equal("DELETED", deleted["type"]!.GetValue<string>());
        Assert.Equal("a", deleted["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_without_a_resource_version_starts_with_every_existing_object_as_added()
    {
        await Created(Obj("a"));
        await Created(Obj("b"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not an assertion
        using var stream = await _http.GetStreamAsync($"{Path}?watch=true", cts.Token);
        using var reader = new StreamReader(stream);
        async Task<JsonObject> Next() => (JsonObject)JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;

        var first = await Next();
        var second = await Next();
        Assert.Equal(["ADDED", "ADDED"], new[] { first, second }.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal(["a", "b"], new[] { first, second }.Select(e => e["object"]!["metadata"]!["name"]!.GetValue<string>()).Order());
        await Created(Obj("c"));
        var third = await Next();
        Assert.Equal("c", third["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Injected_conflicts_and_errors_change_nothing()
    {
        _api.Faults.ConflictRate = 1;
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Post, Path, Obj("r"))).Code);
        _api.Faults.ConflictRate = 0;
        _api.Faults.UnavailableRate = 1;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Send(HttpMethod.Get, Path)).Code);
        _api.Faults.UnavailableRate = 0;
        Assert.Empty((await Send(HttpMethod.Get, Path)).Body["items"]!.AsArray());
    }

    [Fact]
    public async Task A_dropped_watch_ends_its_stream_and_a_resumed_watch_continues_after_the_last_event()
    {
        var first = await Created(Obj("a"));
        await Created(Obj("b"));
        await Created(Obj("c"));
        _api.Faults.WatchDropRate = 1;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not an assertion
        string from = Rv(first);
        var seen = new List<string>();
        for (int watches = 0; watches < 2; watches++)
        {
            using var stream = await _http.GetStreamAsync($"{Path}?watch=true&resourceVersion={from}", cts.Token);
            using var reader = new StreamReader(stream);
            var ev = (JsonObject)JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
            Assert.Null(await reader.ReadLineAsync(cts.Token)); // cut after one event
            seen.Add(ev["object"]!["metadata"]!["name"]!.GetValue<string>());
            from = ev["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>();
        }
        Assert.Equal(["b", "c"], seen);
    }

    [Fact]
    public async Task An_unregistered_resource_is_404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "apis/cdd.io/v1/ippools")).Code);
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Testing.Kube;

namespace Cdd.Ipam.Kube.Tests.Fake;

/// <summary>PATCH, lost replies, compaction and core kinds in the fake API server.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class FakeKubeApiServerAdditionsTests : IDisposable
{
    const string Pods = "api/v1/namespaces/db/pods";
    readonly FakeKubeApiServer _api = new FakeKubeApiServer().Serve("", "v1", "pods", "Pod");
    readonly HttpClient _http;

    public FakeKubeApiServerAdditionsTests() => _http = new HttpClient { BaseAddress = _api.BaseAddress };

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    async Task<(HttpStatusCode Code, JsonObject Body)> Send(HttpMethod method, string path, JsonNode? body = null, string type = "application/json")
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null) req.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, type);
        using var res = await _http.SendAsync(req);
        return (res.StatusCode, (JsonObject)JsonNode.Parse(await res.Content.ReadAsStringAsync())!);
    }

    async Task<JsonObject> Pod(string name)
    {
        var (code, body) = await Send(HttpMethod.Post, Pods, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["a"] = "1" } } });
        Assert.Equal(HttpStatusCode.Created, code);
        return body;
    }

    [Fact]
    public async Task A_merge_patch_sets_and_removes_labels_of_a_namespaced_core_object()
    {
        await Pod("p");
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = null, ["b"] = "2" } } };
        var (code, body) = await Send(HttpMethod.Patch, $"{Pods}/p", patch, JsonPatches.MergePatch);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("""{"b":"2"}""", body["metadata"]!["labels"]!.ToJsonString());
    }

    [Fact]
    public async Task A_json_patch_on_status_writes_only_status_and_a_failed_test_changes_nothing()
    {
        var p = await Pod("p");
        var ops = new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/status", ["value"] = new JsonObject { ["phase"] = "Running" } },
            new JsonObject { ["op"] = "replace", ["path"] = "/metadata/labels/a", ["value"] = "9" });
        var (code, body) = await Send(HttpMethod.Patch, $"{Pods}/p/status", ops, JsonPatches.JsonPatch);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Running", body["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("1", body["metadata"]!["labels"]!["a"]!.GetValue<string>());

        var failing = new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/metadata/labels/a", ["value"] = "2" },
            new JsonObject { ["op"] = "remove", ["path"] = "/metadata/labels" });
        Assert.Equal((HttpStatusCode)422, (await Send(HttpMethod.Patch, $"{Pods}/p", failing, JsonPatches.JsonPatch)).Code);
        Assert.Equal("1", (await Send(HttpMethod.Get, $"{Pods}/p")).Body["metadata"]!["labels"]!["a"]!.GetValue<string>());
        Assert.NotEqual(p["metadata"]!["resourceVersion"]!.GetValue<string>(), body["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_patch_carrying_a_stale_resource_version_is_409_and_an_unknown_patch_type_415()
    {
        var p = await Pod("p");
        await Send(HttpMethod.Patch, $"{Pods}/p", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["b"] = "2" } } }, JsonPatches.MergePatch);
        var stale = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = p["metadata"]!["resourceVersion"]!.DeepClone(), ["labels"] = new JsonObject { ["c"] = "3" } } };
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Patch, $"{Pods}/p", stale, JsonPatches.MergePatch)).Code);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await Send(HttpMethod.Patch, $"{Pods}/p", new JsonObject(), "application/strategic-merge-patch+json")).Code);
    }

    [Fact]
    public async Task A_lost_reply_is_a_500_for_a_write_that_was_applied()
    {
        _api.Faults.LostReplyRate = 1;
        var (code, _) = await Send(HttpMethod.Post, Pods, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" } });
        _api.Faults.LostReplyRate = 0;
        Assert.Equal(HttpStatusCode.InternalServerError, code);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"{Pods}/p")).Code);
    }

    [Fact]
    public async Task A_watch_from_before_a_compaction_gets_one_410_expired_error_event()
    {
        var p = await Pod("p");
        await Pod("q");
        _api.Store.Compact();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not an assertion
        using var stream = await _http.GetStreamAsync($"{Pods}?watch=true&resourceVersion={p["metadata"]!["resourceVersion"]}", cts.Token);
        using var reader = new StreamReader(stream);
        var ev = (JsonObject)JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal("ERROR", ev["type"]!.GetValue<string>());
        Assert.Equal(410, ev["object"]!["code"]!.GetValue<int>());
        Assert.Null(await reader.ReadLineAsync(cts.Token));
    }
}

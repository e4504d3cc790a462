using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cdd.Operator.Extender;
using Microsoft.AspNetCore.Builder;

namespace Cdd.Operator.Tests.Extender;

/// <summary>The endpoints over real HTTP (Kestrel on a loopback port), posting the bodies kube-scheduler posts.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ExtenderHttpTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = ExtenderCommand.Build(SchedulerExtenderTests.Placement(), new IPEndPoint(IPAddress.Loopback, 0));
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    private Task<HttpResponseMessage> Post(string path, string json) =>
        _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Post_filter_answers_an_extender_filter_result()
    {
        var response = await Post("/filter", SchedulerExtenderTests.NodeCacheCapableArgs);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("[\"n1\"]", body["NodeNames"]!.ToJsonString());
        Assert.Equal("network: no free SR-IOV VF", body["FailedNodes"]!["novf"]!.GetValue<string>());
        Assert.Equal("", body["Error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_prioritize_answers_a_host_priority_list()
    {
        var response = await Post("/prioritize", SchedulerExtenderTests.FullNodesArgs);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await response.Content.ReadFromJsonAsync<List<HostPriority>>();
        Assert.NotNull(list);
        Assert.Equal(["n1", "hot", "n4"], list.Select(h => h.Host));
        Assert.True(list[0].Score > 0);
        Assert.Equal(0, list[1].Score);
    }

    [Fact]
    public async Task A_body_that_is_not_extender_args_is_refused_with_400()
    {
        var response = await Post("/filter", "{\"Pod\": [");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("not ExtenderArgs JSON", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Prioritize_for_a_pod_without_a_cluster_is_refused_with_400_naming_the_label()
    {
        var response = await Post("/prioritize", SchedulerExtenderTests.NodeCacheCapableArgs.Replace("cdd.io/cluster", "other"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("pod db/orders-1 has no cdd.io/cluster label", await response.Content.ReadAsStringAsync());
    }
}

using System.Text.Json.Nodes;
using Cdd.Operator.Primary;
using Cdd.Testing.Kube;
using k8s;

namespace Cdd.Operator.Tests.Primary;

/// <summary>KubeRoleSink against the in-process API server from Cdd.Testing serving pods.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class KubeRoleSinkTests : IDisposable
{
    readonly FakeKubeApiServer _api = new FakeKubeApiServer().Serve("", "v1", "pods", "Pod");
    readonly Kubernetes _client;

    public KubeRoleSinkTests() =>
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _api.BaseAddress.ToString().TrimEnd('/') });

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
    }

    void Pod(string ns, string name, string cluster, string? role)
    {
        var labels = new JsonObject { [RoleLabels.ClusterLabel] = cluster };
        if (role is not null) labels[RoleLabels.RoleLabel] = role;
        _api.Store.Create(new KubeRoute("", "v1", "pods", ns, null, null),
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels } });
    }

    async Task<Dictionary<string, string?>> Roles(string ns)
    {
        var pods = await _client.CoreV1.ListNamespacedPodAsync(ns);
        return pods.Items.ToDictionary(p => p.Metadata.Name, p => p.Metadata.Labels?.TryGetValue(RoleLabels.RoleLabel, out var v) == true ? v : null);
    }

    [Fact]
    public async Task The_primary_label_follows_the_primary_and_touches_only_the_cluster_s_pods()
    {
        Pod("db", "a-0", "a", "primary");
        Pod("db", "a-1", "a", null);
        Pod("db", "a-2", "a", null);
        Pod("db", "b-0", "b", "primary");
        var sink = new KubeRoleSink(_client, "db");

        await sink.SetPrimaryAsync("a", PrimaryObservation.Of("a-2"), CancellationToken.None);
        var roles = await Roles("db");
        Assert.Equal("-,-,primary,primary", string.Join(",", new[] { roles["a-0"], roles["a-1"], roles["a-2"], roles["b-0"] }.Select(r => r ?? "-")));
        var a2 = await _client.CoreV1.ReadNamespacedPodAsync("a-2", "db");
        Assert.Equal("a", a2.Metadata.Labels[RoleLabels.ClusterLabel]);

        await sink.SetPrimaryAsync("a", PrimaryObservation.Unreachable("down"), CancellationToken.None);
        Assert.Equal("primary", (await Roles("db"))["a-2"]);

        await sink.SetPrimaryAsync("a", PrimaryObservation.None("election"), CancellationToken.None);
        roles = await Roles("db");
        Assert.Null(roles["a-2"]);
        Assert.Equal("primary", roles["b-0"]);
    }
}

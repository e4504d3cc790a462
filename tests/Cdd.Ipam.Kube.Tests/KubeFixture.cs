using Cdd.Ipam.Kube.Connection;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Kube.Store;
using Cdd.Testing;
using Cdd.Testing.Kube;
using k8s;

namespace Cdd.Ipam.Kube.Tests;

/// <summary>A fake API server serving the kinds the agent uses, a kubeconfig for it, and clients built from that
/// kubeconfig exactly as cdd-ipamd builds its own. Everything is disposed with the fixture.</summary>
internal sealed class KubeFixture : IAsyncDisposable
{
    readonly TempDir _dir = new();
    readonly List<IAsyncDisposable> _owned = [];
    readonly List<IDisposable> _clients = [];

    public KubeFixture()
    {
        Api = new FakeKubeApiServer()
            .Serve(CddResources.Group, CddResources.Version, CddResources.ReservationPlural, CddResources.ReservationKind)
            .Serve(CddResources.Group, CddResources.Version, CddResources.PoolPlural, CddResources.PoolKind)
            .Serve("", "v1", "pods", "Pod")
            .Serve("", "v1", "nodes", "Node")
            .Serve("", "v1", "namespaces", "Namespace");
        Kubeconfig = Api.WriteKubeconfig(Path.Combine(_dir.Path, "kubeconfig"));
    }

    public FakeKubeApiServer Api { get; }
    public string Kubeconfig { get; }

    public IKubernetes Client()
    {
        var client = KubeConnection.CreateClient(Kubeconfig, TimeSpan.FromSeconds(30));
        _clients.Add(client);
        return client;
    }

    public KubeReservationStore Store(KubeStoreOptions? options = null)
    {
        var store = new KubeReservationStore(Client(), options ?? new KubeStoreOptions { RetryDelay = TimeSpan.FromMilliseconds(2), WatchRetryDelay = TimeSpan.FromMilliseconds(20) });
        _owned.Add(store);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
        foreach (var c in _clients) c.Dispose();
        Api.Dispose();
        _dir.Dispose();
    }
}

using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Ipam.Files;
using Cdd.Ipam.Store;
using Cdd.Testing;
using Serilog;

namespace Cdd.Ipamd.Tests;

/// <summary>Agents on one shared file store (one data directory), each its own node, over a fake cluster.</summary>
internal sealed class AgentHarness : IDisposable
{
    readonly TempDir _dir = new("cdd-ipamd");

    public AgentHarness(FakeCluster cluster) => Cluster = cluster;

    public FakeCluster Cluster { get; }
    public string DataDir => _dir.Sub("data");
    public IPoolStores Stores => new FilePoolStores(DataDir, TimeSpan.FromSeconds(10));
    public AgentMetrics Metrics { get; } = new();

    public ManualClock Clock { get; } = new();

    public AgentCore Core(string node, bool podsRequired = true) =>
        new(Cluster, Stores, node, Metrics, Logger.None, podsRequired, Clock);

    public static AgentRequest Add(string pool, string container, string? ns = null, string? pod = null, string? uid = null, string ifName = "eth0") => new()
    {
        Verb = "ADD", Pool = pool, Network = "mysql-net", ContainerId = container, IfName = ifName,
        PodNamespace = ns, PodName = pod, PodUid = uid,
    };

    public static AgentRequest Del(string pool, string container, string ifName = "eth0") => new()
    {
        Verb = "DEL", Pool = pool, Network = "mysql-net", ContainerId = container, IfName = ifName,
    };

    public string SocketPath(string name) => Path.Combine(_dir.Sub("run"), name + ".sock");

    public void Dispose() => _dir.Dispose();
}

internal static class Logger
{
    public static ILogger None { get; } = new LoggerConfiguration().CreateLogger();
}

using Serilog;

namespace Cdd.Ipamd;

/// <summary>The Kubernetes store and cluster view (watch caches of IPPools and IPReservations) behind the agent.</summary>
public static class KubeBackend
{
    public static Task<Agent> StartAsync(AgentOptions options, string? kubeconfig, ILogger log, CancellationToken ct) =>
        throw new ArgumentException("the Kubernetes store is not wired into cdd-ipamd in this build; run with --pools-file");
}

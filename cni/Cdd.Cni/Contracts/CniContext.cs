using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;

namespace Cdd.Cni.Contracts;

/// <summary>Everything a mode needs for one invocation.</summary>
internal sealed class CniContext
{
    public required CniEnvironment Env { get; init; }
    public required NetConf Config { get; init; }
    /// <summary>The config exactly as read from stdin; forwarded to the IPAM plugin.</summary>
    public required byte[] RawConfig { get; init; }
    public required IIpam Ipam { get; init; }
    /// <summary>The parsed prevResult (any supported version), or null.</summary>
    public CniResult? PrevResult { get; init; }
    /// <summary>Where modes keep per-node state (locks, per-attachment records). Default /var/lib/cni/cdd; CDD_STATE_DIR overrides (tests).</summary>
    public required string StateDir { get; init; }
}

using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Ipam.Agent.Protocol.Wire;

namespace Cdd.Ipam.Agent.Protocol;

/// <summary>
/// The ipam section when cdd-ipam is served by the node agent:
/// <c>{"type": "cdd-ipam", "pool": "NAME", "socket": "/run/cdd/ipamd.sock", "timeoutSeconds": 10}</c>
/// ("store": "agent" may be written out; "store": "file" is the embedded store, handled by the cdd-ipam binary).
/// Every refusal is code 7 naming the field.
/// </summary>
public sealed record AgentSettings(string Pool, string Socket, TimeSpan Timeout)
{
    public const string PluginType = "cdd-ipam";
    static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>True when the config's ipam section names cdd-ipam served by the agent (not the file store).</summary>
    public static bool Applies(NetConf config) =>
        config.IpamType == PluginType && config.Ipam is { } ipam && StoreOf(ipam) is null or "agent";

    public static AgentSettings Parse(JsonElement ipam)
    {
        if (StoreOf(ipam) is { } store && store != "agent")
            throw Invalid($"ipam.store \"{store}\" is not served by cdd-ipamd (\"agent\")");
        if (ipam.TryGetProperty("pool", out var inline) && inline.ValueKind == JsonValueKind.Object)
            throw Invalid("ipam.pool is an inline pool: set ipam.store to \"file\" for the embedded store, or name an IPPool served by cdd-ipamd");
        if (!ipam.TryGetProperty("pool", out var p) || p.ValueKind != JsonValueKind.String || p.GetString() is not { Length: > 0 } pool)
            throw Invalid("ipam.pool is required: the name of an IPPool");
        if (!IsDnsLabel(pool))
            throw Invalid($"ipam.pool \"{pool}\" is not an IPPool name (1-63 of a-z, 0-9, '-')");

        string socket = AgentProtocol.DefaultSocket;
        if (ipam.TryGetProperty("socket", out var s))
        {
            socket = s.ValueKind == JsonValueKind.String ? s.GetString()! : throw Invalid("ipam.socket must be a string");
            if (!Path.IsPathFullyQualified(socket) || socket.Split('/').Contains(".."))
                throw Invalid($"ipam.socket \"{socket}\" must be an absolute path without '..'");
        }

        var timeout = DefaultTimeout;
        if (ipam.TryGetProperty("timeoutSeconds", out var t))
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out double secs) || secs <= 0 || secs > 300)
                throw Invalid($"ipam.timeoutSeconds {t.GetRawText()} must be a number of seconds in (0, 300]");
            timeout = TimeSpan.FromSeconds(secs);
        }
        return new AgentSettings(pool, socket, timeout);
    }

    static string? StoreOf(JsonElement ipam) =>
        ipam.ValueKind == JsonValueKind.Object && ipam.TryGetProperty("store", out var s)
            ? s.ValueKind == JsonValueKind.String ? s.GetString() : s.GetRawText()
            : null;

    static bool IsDnsLabel(string s) =>
        s.Length <= 63 && s[0] != '-' && s[^1] != '-' && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

namespace Cdd.Bench;

/// <summary>One plugin configuration under test and how the runtime calls it for a pod.</summary>
public sealed record Plugin(string Label, string Key, string Binary, string IfName, string Config, IReadOnlyDictionary<string, string> CommonEnv)
{
    /// <summary>A container ID per plugin, so no two attachments ever share a key.</summary>
    public string ContainerId(int pod) => $"bench-{Key}-{pod}";

    public Dictionary<string, string> Env(string verb, int pod, string netnsPath) => new(CommonEnv)
    {
        ["CNI_COMMAND"] = verb,
        ["CNI_CONTAINERID"] = ContainerId(pod),
        ["CNI_NETNS"] = netnsPath,
        ["CNI_IFNAME"] = IfName,
    };

    public CallResult Call(string verb, int pod, string netnsPath) => PluginCall.Run(Binary, Env(verb, pod, netnsPath), Config);

    /// <summary>Like <see cref="Call"/>, but a failed ADD is an error naming the plugin and what it said.</summary>
    public CallResult Must(string verb, int pod, string netnsPath)
    {
        var r = Call(verb, pod, netnsPath);
        if (r.ExitCode != 0) throw new PluginFailedException(this, verb, r);
        return r;
    }
}

public sealed class PluginFailedException(Plugin plugin, string verb, CallResult result)
    : Exception($"{plugin.Label}: {verb} exited {result.ExitCode}: {result.Stdout.Trim()} {result.Stderr.Trim()}")
{
    public Plugin Plugin { get; } = plugin;
}

namespace Cdd.Cni.Tests;

/// <summary>A runtime's environment for one verb, with every variable ADD needs; tests remove or change what they probe.</summary>
internal static class TestEnv
{
    public static Dictionary<string, string?> For(string verb, string cniPath = "/opt/cni/bin") => new(StringComparer.Ordinal)
    {
        ["CNI_COMMAND"] = verb,
        ["CNI_CONTAINERID"] = "3f2a9c1b0d",
        ["CNI_NETNS"] = "/var/run/netns/pod1",
        ["CNI_IFNAME"] = "eth0",
        ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME=mysql-0", // as containerd sends them
        ["CNI_PATH"] = cniPath,
        ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin",
    };

    public static Dictionary<string, string?> With(this Dictionary<string, string?> env, string key, string? value)
    {
        env[key] = value;
        return env;
    }

    public static Dictionary<string, string?> Without(this Dictionary<string, string?> env, string key)
    {
        env.Remove(key);
        return env;
    }
}

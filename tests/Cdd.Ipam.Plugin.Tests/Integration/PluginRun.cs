using System.Text.Json;
using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests.Integration;

internal sealed record PluginOutcome(int Exit, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();

    public PluginOutcome Ok(string what)
    {
        if (Exit != 0) throw new Xunit.Sdk.XunitException($"{what} failed (exit {Exit})\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }

    public string Address => Json.GetProperty("ips")[0].GetProperty("address").GetString()!;
}

/// <summary>Execs a main plugin as a runtime does, inside a node namespace (nsenter), with out/ and Debian's plugins on CNI_PATH.</summary>
internal static class PluginRun
{
    public static string CniPath => $"{RepoRoot.Out}:/usr/lib/cni";

    public static PluginOutcome Exec(string binary, string nodeNetns, string verb, string config, string containerId, string? podNetns,
        string stateDir, string cniArgs = "", string? cniPath = null)
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = verb, ["CNI_PATH"] = cniPath ?? CniPath, ["CNI_CONTAINERID"] = containerId, ["CNI_IFNAME"] = "eth0",
            ["CDD_STATE_DIR"] = stateDir,
        };
        if (podNetns is not null) env["CNI_NETNS"] = podNetns;
        if (cniArgs != "") env["CNI_ARGS"] = cniArgs;
        var r = Cdd.Testing.Exec.Run("nsenter", [$"--net=/var/run/netns/{nodeNetns}", binary], env, config, clearEnv: true);
        return new PluginOutcome(r.ExitCode, r.Stdout.Trim(), r.Stderr);
    }

    // As kubelet sends them: IgnoreUnknown=1 tells Go plugins to accept the K8S_* keys they do not use.
    public static string StatefulSetPod(string name) => $"IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME={name};K8S_POD_UID={Guid.NewGuid()}";
}

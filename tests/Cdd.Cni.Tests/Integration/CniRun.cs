using System.Text.Json;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>What one exec of the plugin gave back.</summary>
internal sealed record CniOutcome(int Exit, string Stdout, string Stderr)
{
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();
    public int Code => Json.GetProperty("code").GetInt32();
    public string Msg => Json.GetProperty("msg").GetString()!;

    public CniOutcome Ok(string what)
    {
        if (Exit != 0) throw new Xunit.Sdk.XunitException($"{what} failed (exit {Exit})\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }

    public CniOutcome Failed(int code)
    {
        if (Exit == 0) throw new Xunit.Sdk.XunitException($"expected error code {code}, but the plugin succeeded: {Stdout}");
        Assert.Equal(code, Code);
        return this;
    }
}

/// <summary>
/// Execs a plugin exactly as a runtime does: CNI_* in the environment, the config on stdin, and,
/// for a "node" that is itself a namespace, entered with nsenter so the plugin sees that node's links.
/// </summary>
internal sealed class CniRun
{
    public required string CniPath { get; init; }
    public required string StateDir { get; init; }
    public string? NodeNetns { get; init; }
    public string Binary { get; init; } = RepoRoot.CddCni;

    public CniOutcome Exec(string verb, string config, string containerId = "", string? podNetns = null, string ifName = "eth0",
        IDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = verb,
            ["CNI_PATH"] = CniPath,
            ["CDD_STATE_DIR"] = StateDir,
        };
        if (containerId != "") env["CNI_CONTAINERID"] = containerId;
        if (podNetns is not null) env["CNI_NETNS"] = podNetns;
        if (ifName != "") env["CNI_IFNAME"] = ifName;
        if (extra is not null)
            foreach (var (k, v) in extra) env[k] = v;
        var r = NodeNetns is null
            ? Cdd.Testing.Exec.Run(Binary, [], env, config, clearEnv: true)
            : Cdd.Testing.Exec.Run("nsenter", [$"--net=/var/run/netns/{NodeNetns}", Binary], env, config, clearEnv: true);
        return new CniOutcome(r.ExitCode, r.Stdout.Trim(), r.Stderr);
    }

    public CniOutcome Add(string config, string id, TestNetns pod, string ifName = "eth0") => Exec("ADD", config, id, pod.Path, ifName);
    public CniOutcome Del(string config, string id, string? podNetns, string ifName = "eth0") => Exec("DEL", config, id, podNetns, ifName);

    public CniOutcome Check(string config, string prevResult, string id, TestNetns pod, string ifName = "eth0") =>
        Exec("CHECK", WithPrevResult(config, prevResult), id, pod.Path, ifName);

    /// <summary>The config with "prevResult" set, as a runtime builds it for CHECK and for chained plugins.</summary>
    public static string WithPrevResult(string config, string prevResult) => With(config, "prevResult", prevResult);

    /// <summary>The config with a top-level key set to a JSON value.</summary>
    public static string With(string config, string key, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(config)!.AsObject();
        node[key] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return node.ToJsonString();
    }
}

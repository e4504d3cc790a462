using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cdd.Testing;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>What the published binaries say about themselves: the options a command declares, free ports, the sample pool as a pools file.</summary>
public static class BinaryFacts
{
    public static string Ipamd => RepoRoot.Published("cdd-ipamd", "ipam/Cdd.Ipamd/Cdd.Ipamd.csproj");
    public static string Operator => RepoRoot.Published("cdd-operator", "deploy/operator/Cdd.Operator/Cdd.Operator.csproj");
    public static string Cni => RepoRoot.CddCni;

    /// <summary>The --options of a System.CommandLine command, from its --help.</summary>
    public static IReadOnlySet<string> Options(string binary, params string[] command)
    {
        var r = Exec.Run(binary, [.. command, "--help"], new Dictionary<string, string> { ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.GetTempPath() }, timeoutMs: 60_000)
            .EnsureSuccess($"{Path.GetFileName(binary)} {string.Join(' ', command)} --help");
        return Regex.Matches(r.Stdout, @"(?<![\w-])--[a-z][a-z0-9-]*").Select(m => m.Value).ToHashSet();
    }

    /// <summary>cdd-csi reads its flags by name in Program.cs (Find/Get/List("name", ENV)); unknown flags are ignored there, so the names are taken from the source.</summary>
    public static IReadOnlySet<string> CsiFlags()
    {
        string program = File.ReadAllText(Path.Combine(RepoRoot.Path, "csi", "Cdd.Csi", "Program.cs"));
        return Regex.Matches(program, @"\b(?:Find|Get|List)\(""([a-z0-9-]+)"",").Select(m => "--" + m.Groups[1].Value).ToHashSet();
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>samples/ippool.yaml as cdd-ipamd's --pools-file ({"pools": [{name, segments, ...}]}).</summary>
    public static string SamplePoolsFile(string dir)
    {
        var samples = ManifestTree.Load(Path.Combine(ManifestTree.Root, "samples"));
        var pool = YamlJson.Object(samples.OfKind("IPPool").Single().Node);
        var spec = pool["spec"]!.AsObject();
        var entry = new JsonObject { ["name"] = pool["metadata"]!["name"]!.GetValue<string>(), ["segments"] = spec["segments"]!.DeepClone() };
        string file = Path.Combine(dir, "pools.json");
        File.WriteAllText(file, new JsonObject { ["pools"] = new JsonArray(entry) }.ToJsonString());
        return file;
    }

    /// <summary>"--name=value" or "--name value" → "--name".</summary>
    public static IEnumerable<string> FlagNames(IEnumerable<string>? args) =>
        (args ?? []).Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]);

    public static string? FlagValue(IEnumerable<string>? args, string flag)
    {
        var list = (args ?? []).ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].StartsWith(flag + "=", StringComparison.Ordinal)) return list[i][(flag.Length + 1)..];
            if (list[i] == flag && i + 1 < list.Count) return list[i + 1];
        }
        return null;
    }
}

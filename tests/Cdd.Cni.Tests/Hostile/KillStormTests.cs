using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Hostile;

/// <summary>
/// Root: 4 workers run 1,000 ADDs and DELs, 30% of them SIGKILLed at a random moment (cdd-cni only: its IPAM child
/// is left to the plugin's own guarantees), then a DEL of every attachment. Before any GC, no link and no address
/// may be left; no address is ever held by two attachments at once.
/// </summary>
[Tier(Tier.Root)]
public sealed class KillStormTests : IDisposable
{
    const int Workers = 4, Operations = 1000, IdsPerWorker = 3;
    const double KillShare = 0.3;

    readonly TempDir _temp = new("cdd-storm");
    readonly TestNetns _node;
    readonly List<TestNetns> _pods = [];

    public KillStormTests()
    {
        Root.Require();
        _node = new TestNetns("cddn");
        _node.Ip_("link", "add", "m0", "type", "veth", "peer", "name", "m0p");
        _node.Ip_("link", "set", "m0", "up");
        _node.Ip_("link", "set", "m0p", "up");
        _node.Ip_("addr", "add", "192.0.2.1/24", "dev", "m0");
        for (int i = 0; i < Workers * IdsPerWorker; i++) _pods.Add(new TestNetns("cddp"));
    }

    public void Dispose()
    {
        foreach (var p in _pods) p.Dispose();
        _node.Dispose();
        _temp.Dispose();
    }

    string DataDir => Path.Combine(_temp.Path, "data");

    string Ipam(string kind) => kind == "host-local"
        ? $$$"""{"type":"host-local","dataDir":"{{{DataDir}}}","ranges":[[{"subnet":"10.68.0.0/27","gateway":"10.68.0.1"}]]}"""
        : $$$"""{"type":"cdd-ipam","store":"file","dataDir":"{{{DataDir}}}","node":{"name":"n1"},"pool":{"name":"storm","segments":[{"name":"s1","subnet":"10.68.0.0/27","gateway":"10.68.0.1"}]}}""";

    string Config(string mode, string ipam) => mode == "macvlan"
        ? $$"""{"cniVersion":"1.1.0","name":"storm","type":"cdd-cni","mode":"macvlan","master":"m0","ipam":{{Ipam(ipam)}}}"""
        : $$"""{"cniVersion":"1.1.0","name":"storm","type":"cdd-cni","mode":"overlay","vni":78,"underlay":"m0","peers":[],"ipam":{{Ipam(ipam)}}}""";

    [Theory]
    [InlineData("macvlan", "cdd-ipam")]
    [InlineData("macvlan", "host-local")]
    [InlineData("overlay", "cdd-ipam")]
    [InlineData("overlay", "host-local")]
    public void Kills_at_random_points_leak_nothing_and_never_share_an_address(string mode, string ipam)
    {
        string config = Config(mode, ipam);
        string state = _temp.Sub($"state-{mode}-{ipam}");
        var holders = new ConcurrentDictionary<IPAddress, string>();
        var duplicates = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<string>();

        var workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            var rng = new Random(4200 + w);
            for (int op = 0; op < Operations / Workers; op++)
            {
                int slot = w * IdsPerWorker + rng.Next(IdsPerWorker);
                string id = $"storm{slot}";
                string verb = rng.Next(2) == 0 ? "ADD" : "DEL";
                bool kill = rng.NextDouble() < KillShare;
                using var p = Start(verb, config, id, _pods[slot], state);
                if (kill)
                {
                    Thread.Sleep(rng.Next(0, 30));
                    _ = Tmds.Linux.LibC.kill(p.Id, 9); // cdd-cni alone: nsenter has exec'd it, the IPAM child is not touched
                }
                if (!p.WaitForExit(TimeSpan.FromSeconds(60))) { failures.Add($"{verb} {id} did not end"); p.Kill(); continue; }
                var mine = holders.Where(h => h.Value == id).Select(h => h.Key).ToList();
                if (kill && p.ExitCode != 0)
                {
                    // A killed DEL may or may not have released; a killed ADD may or may not have claimed. Forget the record.
                    foreach (var a in mine) holders.TryRemove(a, out _);
                    continue;
                }
                if (p.ExitCode != 0)
                {
                    if (verb == "DEL") failures.Add($"DEL {id} failed: {p.Stdout} {p.Stderr}");
                    continue; // an ADD over an existing attachment is refused (103), which is fine
                }
                if (verb == "DEL")
                {
                    foreach (var a in mine) holders.TryRemove(a, out _);
                    continue;
                }
                foreach (var a in mine) holders.TryRemove(a, out _); // an ADD that succeeded replaced what we knew
                var address = IPAddress.Parse(JsonDocument.Parse(p.Stdout).RootElement.GetProperty("ips")[0].GetProperty("address").GetString()!.Split('/')[0]);
                if (!holders.TryAdd(address, id) && holders[address] != id) duplicates.Add($"{address} given to {id} while {holders[address]} held it");
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());

        for (int slot = 0; slot < _pods.Count; slot++)
        {
            using var del = Start("DEL", config, $"storm{slot}", _pods[slot], state);
            Assert.True(del.WaitForExit(TimeSpan.FromSeconds(60)));
            if (del.ExitCode != 0) failures.Add($"final DEL storm{slot} failed: {del.Stdout} {del.Stderr}");
        }

        Assert.Empty(failures);
        Assert.Empty(duplicates);
        // Before any GC: every pod namespace back to lo, no host veth, no address file.
        foreach (var pod in _pods)
            Assert.Equal(["lo"], Ip.Json("-n", pod.Name, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).ToArray());
        Assert.DoesNotContain(Ip.Json("-n", _node.Name, "link", "show").EnumerateArray(), l => l.GetProperty("ifname").GetString()!.StartsWith("cddv", StringComparison.Ordinal) && l.GetProperty("ifname").GetString() != "cddvx78");
        Assert.Empty(Addresses(ipam));
        Assert.DoesNotContain(System.Diagnostics.Process.GetProcesses(), p => IsIpamChildOf(p, state));

        using var gc = Start("GC", Gc(config), "", null, state);
        Assert.True(gc.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.True(gc.ExitCode == 0, $"GC failed: {gc.Stdout} {gc.Stderr}");
        Assert.Empty(Addresses(ipam));
    }

    static string Gc(string config) => Integration.CniRun.With(config, "cni.dev/valid-attachments", "[]");

    List<string> Addresses(string ipam)
    {
        string dir = Path.Combine(DataDir, "storm"); // host-local names it after the network, cdd-ipam after the pool: both "storm"
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir).Select(f => Path.GetFileName(f)!).Where(n => IPAddress.TryParse(n, out var a) && a.ToString() == n).ToList();
    }

    static bool IsIpamChildOf(System.Diagnostics.Process p, string state)
    {
        try
        {
            return File.ReadAllText($"/proc/{p.Id}/environ").Contains($"CDD_STATE_DIR={state}\0", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    RunningProcess Start(string verb, string config, string id, TestNetns? pod, string state)
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = verb,
            ["CNI_PATH"] = $"{RepoRoot.Out}:/usr/lib/cni",
            ["CDD_STATE_DIR"] = state,
            ["CDD_NODE_NAME"] = "n1",
        };
        if (id != "")
        {
            env["CNI_CONTAINERID"] = id;
            env["CNI_IFNAME"] = "eth0";
            env["CNI_NETNS"] = pod!.Path;
        }
        return RunningProcess.Start("nsenter", [$"--net={_node.Path}", RepoRoot.CddCni], env, config, clearEnv: true);
    }
}

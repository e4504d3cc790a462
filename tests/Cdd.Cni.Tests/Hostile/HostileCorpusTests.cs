using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Cdd.Cni.Spec;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Hostile;

/// <summary>
/// Root: the seeded corpus of hostile inputs against both binaries, exec'd as a runtime does (cdd-cni inside a
/// namespace that stands in for the node). Every case ends with success or a spec code other than 100 and valid
/// error JSON; nothing appears or disappears in the stand-in node; nothing is written outside the data dirs.
/// </summary>
[Tier(Tier.Root)]
public sealed class HostileCorpusTests : IDisposable
{
    const int CaseTimeoutMs = 10_000; // a hang guard, not a speed check: the cases end in milliseconds

    static readonly HashSet<int> SpecCodes = [1, 2, 3, 4, 5, 6, 7, 11, 50, 51, 101, 102, 103, 104, 110, 111, 112, 113, 114];

    readonly TempDir _temp = new("cdd-corpus");
    readonly TestNetns _node;
    readonly TestNetns _pod;
    readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    readonly HostilePaths _paths;

    public HostileCorpusTests()
    {
        Root.Require();
        _node = new TestNetns("cddn");
        _pod = new TestNetns("cddp");
        _node.Ip_("link", "add", "m0", "type", "veth", "peer", "name", "m0p");
        _node.Ip_("link", "set", "m0", "up");
        _node.Ip_("link", "set", "m0p", "up");
        _node.Ip_("addr", "add", "192.0.2.1/24", "dev", "m0");

        string odd = _temp.Sub("odd");
        Exec.Run("mkfifo", Path.Combine(odd, "fifo")).EnsureSuccess("mkfifo");
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(odd, "sock")));
        File.WriteAllText(Path.Combine(odd, "file"), "");
        File.CreateSymbolicLink(Path.Combine(odd, "loop1"), Path.Combine(odd, "loop2"));
        File.CreateSymbolicLink(Path.Combine(odd, "loop2"), Path.Combine(odd, "loop1"));
        _paths = new HostilePaths
        {
            CddCni = RepoRoot.CddCni,
            CddIpam = Path.Combine(RepoRoot.Out, "cdd-ipam"),
            CniPath = $"{RepoRoot.Out}:/usr/lib/cni",
            DataDir = _temp.Sub("data"),
            StateDir = _temp.Sub("state"),
            Outside = _temp.Sub("outside"),
            PodNetns = _pod.Path,
            HostileNetns = [
                Path.Combine(odd, "fifo"), Path.Combine(odd, "sock"), odd, Path.Combine(odd, "file"), "/dev/null", "/dev/zero",
                "/proc/self/ns/net", "/proc/thread-self/ns/net", "/proc/self/ns/mnt", "/proc/self/ns/uts", "/proc/self/ns/user",
                _node.Path, Path.Combine(odd, "missing"), Path.Combine(odd, "loop1"), Path.Combine(odd, "file", "below"),
                "/" + new string('n', 5000), "relative/pod", "/var/run/netns/", _pod.Path + "/", "/proc/self/fd/0",
            ],
        };
    }

    public void Dispose()
    {
        _socket.Dispose();
        _pod.Dispose();
        _node.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Every_hostile_input_gets_a_spec_code_and_touches_nothing_outside_what_it_owns()
    {
        // The overlay's node fabric is made once up front: a case that passes validation may use it, never make it.
        var fabric = new Cdd.Cni.Tests.Integration.CniRun { CniPath = _paths.CniPath, StateDir = _paths.StateDir, NodeNetns = _node.Name };
        string overlay = $$$"""{"cniVersion":"1.1.0","name":"{{{HostileCorpus.NetworkName}}}","type":"cdd-cni","mode":"overlay","vni":77,"underlay":"m0","peers":["192.0.2.9"],"ipam":{"type":"host-local","dataDir":"{{{_paths.DataDir}}}/hl","ranges":[[{"subnet":"10.66.0.0/24"}]]}}""";
        fabric.Add(overlay, "fabric", _pod).Ok("fabric ADD");
        fabric.Del(overlay, "fabric", _pod.Path).Ok("fabric DEL");

        var cases = new HostileCorpus(_paths).Generate();
        Assert.True(cases.Count >= 1000, $"the corpus has {cases.Count} cases, fewer than 1,000");
        var nodeBefore = NodeState();
        var systemBefore = SystemFolders();

        var failures = new ConcurrentBag<string>();
        var added = new ConcurrentBag<HostileCase>();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, c =>
        {
            try
            {
                var r = Run(c);
                if (r.ExitCode == 0)
                {
                    if (c.Env["CNI_COMMAND"] == "ADD") added.Add(c);
                    return;
                }
                if (Problem(r) is { } problem) failures.Add($"{problem}\n{c.Describe()}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
            }
            catch (Exception e)
            {
                failures.Add($"did not end: {e.Message}\n{c.Describe()}");
            }
        });
        foreach (var c in added)
        {
            var del = Run(c with { Env = new(c.Env) { ["CNI_COMMAND"] = "DEL" } });
            if (del.ExitCode != 0) failures.Add($"cleanup DEL of a case that succeeded failed: {del.Stdout}\n{c.Describe()}");
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} cases misbehaved:\n\n" + string.Join("\n\n", failures.Take(15)));
        Assert.Equal(nodeBefore, NodeState());
        Assert.Equal(systemBefore, SystemFolders());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_paths.Outside));
        Assert.Equal(["data", "odd", "outside", "state"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(p => Path.GetFileName(p)!).Order().ToArray());
    }

    ExecResult Run(HostileCase c) => c.Binary == _paths.CddCni
        ? Exec.Run("nsenter", [$"--net={_node.Path}", c.Binary], c.Env, c.Stdin, clearEnv: true, timeoutMs: CaseTimeoutMs)
        : Exec.Run(c.Binary, [], c.Env, c.Stdin, clearEnv: true, timeoutMs: CaseTimeoutMs);

    static string? Problem(ExecResult r)
    {
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(r.Stdout).RootElement;
        }
        catch (JsonException)
        {
            return "stdout is not JSON";
        }
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number)
            return "the error has no numeric code";
        if (!json.TryGetProperty("msg", out var msg) || msg.ValueKind != JsonValueKind.String || msg.GetString()!.Length == 0)
            return "the error has no msg";
        if (!json.TryGetProperty("cniVersion", out _)) return "the error has no cniVersion";
        int c = code.GetInt32();
        if (c == CniErrorCodes.Internal) return "code 100";
        // A delegate's own error is passed on as the spec says (host-local answers 999 for what it has no code for).
        if (!SpecCodes.Contains(c) && !msg.GetString()!.StartsWith("ipam host-local:", StringComparison.Ordinal)) return $"code {c} is in no table";
        if (r.Stdout.Contains("System.", StringComparison.Ordinal) || r.Stdout.Contains("   at ", StringComparison.Ordinal))
            return ".NET type names or a stack trace in the error";
        return null;
    }

    /// <summary>The stand-in node's links (index, name, kind, alias) and addresses: what a case could create or delete.</summary>
    string NodeState()
    {
        var links = Ip.Json("-d", "-n", _node.Name, "link", "show").EnumerateArray()
            .Select(l => $"{l.GetProperty("ifindex")} {l.GetProperty("ifname")} {(l.TryGetProperty("ifalias", out var a) ? a.ToString() : "")}");
        var addrs = Ip.Json("-n", _node.Name, "addr", "show").EnumerateArray()
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray().Select(a => $"{l.GetProperty("ifname")} {a.GetProperty("local")}/{a.GetProperty("prefixlen")}"));
        return string.Join('\n', links.Concat(addrs).Order());
    }

    /// <summary>Entries the hostile data dirs would make in system folders if they were accepted.</summary>
    static string SystemFolders()
    {
        string[] names = [HostileCorpus.PoolName, HostileCorpus.NetworkName];
        string[] roots = ["/", "/etc", "/run/netns", "/dev/shm", "/tmp", "/sys"];
        return string.Join('\n', roots.SelectMany(r => names.Select(n => Path.Combine(r, n))).Where(p => Path.Exists(p)));
    }
}

using Cdd.Cni.Tests.Ipam;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>
/// Root: ADD undoes every step when a later one fails. The failures come from fake IPAM plugins
/// (shell scripts, test code) that fail or delete the pod's namespace mid-ADD.
/// Runs alone: writing and then exec'ing scripts races with forks from parallel tests (ETXTBSY).
/// </summary>
[Collection(PluginExecCollection.Name)]
[Tier(Tier.Root)]
public sealed class RollbackTests
{
    const string FailingIpam = """
        case "$CNI_COMMAND" in
          ADD) echo '{"cniVersion":"1.0.0","code":11,"msg":"pool mvnet is exhausted"}'; exit 1 ;;
          *) exit 0 ;;
        esac
        """;

    // Deletes the pod's namespace, then lets the real host-local allocate: the worst moment to vanish.
    const string VanishingIpam = """
        if [ "$CNI_COMMAND" = ADD ]; then ip netns del "$(basename "$CNI_NETNS")"; fi
        exec /usr/lib/cni/host-local
        """;

    [Fact]
    public void Macvlan_add_leaves_no_link_behind_when_ipam_fails()
    {
        using var n = new MacvlanNode();
        n.AddScriptPlugin("failing-ipam", FailingIpam);
        using var pod = n.NewPod();
        var r = n.Cni.Add(n.Config(ipam: """{"type":"failing-ipam"}"""), "r1", pod).Failed(11);
        Assert.Contains("pool mvnet is exhausted", r.Msg);
        Assert.Equal(["lo"], LinkNames(pod.Name));
    }

    [Theory]
    [InlineData("""{"type":"cdd-ipam","pool":"Bad_Pool"}""", "ipam.pool \"Bad_Pool\"")]
    [InlineData("""{"type":"cdd-ipam","pool":"mysql","socket":"run/ipamd.sock"}""", "ipam.socket")]
    [InlineData("""{"type":"cdd-ipam","pool":"mysql","timeoutSeconds":0}""", "ipam.timeoutSeconds")]
    public void Macvlan_add_with_a_bad_ipam_field_is_refused_before_any_link_exists(string ipam, string field)
    {
        using var n = new MacvlanNode();
        using var pod = n.NewPod();
        var nodeLinks = LinkNames(n.Node.Name);
        var r = n.Cni.Add(n.Config(ipam: ipam), "r0", pod).Failed(7);
        Assert.StartsWith(field, r.Msg);
        Assert.Equal(["lo"], LinkNames(pod.Name));
        Assert.Equal(nodeLinks, LinkNames(n.Node.Name));
    }

    [Fact]
    public void Macvlan_add_releases_the_address_when_the_netns_vanishes_mid_add()
    {
        using var n = new MacvlanNode();
        n.AddScriptPlugin("vanishing-ipam", VanishingIpam);
        var pod = n.NewPod();
        var ipam = n.HostLocal().Replace("\"host-local\"", "\"vanishing-ipam\"");
        var r = n.Cni.Add(n.Config(ipam: ipam), "r2", pod).Failed(3);
        Assert.Contains("went away", r.Msg);
        Assert.False(pod.Exists);
        Assert.Empty(HostLocalStore.Allocations(n.DataDir, "mvnet"));
        Assert.Equal(["lo", "m0", "m0p"], LinkNames(n.Node.Name)); // nothing left on the node either
    }

    [Fact]
    public void Overlay_add_leaves_no_host_veth_and_no_allocation_when_ipam_fails()
    {
        using var c = new OverlayCluster(nodes: 1);
        WriteScript(Path.Combine(c.Temp.Path, "bin0"), "failing-ipam", FailingIpam);
        using var pod = c.NewPod();
        c.Cni[0].Add(c.Config(0, ipam: """{"type":"failing-ipam"}"""), "r3", pod).Failed(11);
        Assert.Equal(["lo"], LinkNames(pod.Name));
        Assert.DoesNotContain(LinkNames(c.Nodes[0].Name), l => l.StartsWith("cddv") && !l.StartsWith("cddvx"));
    }

    [Fact]
    public void Overlay_add_undoes_the_veth_and_the_address_when_the_netns_vanishes_mid_add()
    {
        using var c = new OverlayCluster(nodes: 1);
        WriteScript(Path.Combine(c.Temp.Path, "bin0"), "vanishing-ipam", VanishingIpam);
        var pod = c.NewPod();
        var ipam = c.HostLocal(0).Replace("\"host-local\"", "\"vanishing-ipam\"");
        c.Cni[0].Add(c.Config(0, ipam: ipam), "r4", pod).Failed(3);
        Assert.Empty(HostLocalStore.Allocations(c.DataDir(0), "ovl"));
        Assert.DoesNotContain(LinkNames(c.Nodes[0].Name), l => l.StartsWith("cddv") && !l.StartsWith("cddvx"));
    }

    [Fact]
    public void Del_after_add_was_killed_mid_ipam_removes_the_half_made_link()
    {
        using var n = new MacvlanNode();
        string started = Path.Combine(n.Temp.Path, "ipam-started");
        n.AddScriptPlugin("slow-ipam", $"cat > /dev/null\n[ \"$CNI_COMMAND\" = ADD ] || exit 0\ntouch {started}\nexec sleep 60\n");
        using var pod = n.NewPod();
        string conf = n.Config(ipam: """{"type":"slow-ipam"}""");

        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = "ADD", ["CNI_CONTAINERID"] = "killed", ["CNI_NETNS"] = pod.Path, ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = n.Cni.CniPath, ["CDD_STATE_DIR"] = n.Cni.StateDir,
        };
        using (var add = RunningProcess.Start("nsenter", [$"--net=/var/run/netns/{n.Node.Name}", RepoRoot.CddCni], env, stdin: conf))
        {
            try
            {
                Eventually.True("ADD to reach IPAM", () => File.Exists(started), TimeSpan.FromSeconds(30));
            }
            finally
            {
                add.Kill(); // SIGKILL: no rollback runs
            }
        }
        // The link made before IPAM is still there: nothing rolled it back.
        Assert.Equal("macvlan", Ip.Link(pod.Name, "eth0")?.GetProperty("linkinfo").GetProperty("info_kind").GetString());

        n.Cni.Del(conf, "killed", pod.Path).Ok("DEL after the kill");
        Assert.Equal(["lo"], LinkNames(pod.Name));
    }

    static List<string> LinkNames(string netns) =>
        Ip.Json("-n", netns, "link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order().ToList();

    static void WriteScript(string dir, string name, string body)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

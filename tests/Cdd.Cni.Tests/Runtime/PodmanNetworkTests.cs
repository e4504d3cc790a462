using System.Text.Json;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Runtime;

/// <summary>
/// Root: Debian's podman with its CNI backend drives the published cdd-cni as kubelet's runtime
/// would: containers start on a cdd-cni network, see their host-local address, reach each other,
/// and leave no allocation, namespace or link behind once removed. The "node" is a namespace of
/// the test's own; podman and the plugins run inside it, so the host network is never touched.
/// </summary>
[Tier(Tier.Root)]
public sealed class PodmanNetworkTests
{
    static readonly string[] PluginDirs = [RepoRoot.Out, "/usr/lib/cni"];

    [Fact]
    public void Podman_container_on_macvlan_network_sees_its_address_and_pings_its_peer()
    {
        Root.Require("network namespaces and containers");
        _ = RepoRoot.CddCni;
        using var node = new TestNetns("cddpm");
        node.Ip_("link", "add", "m0", "type", "veth", "peer", "name", "m0p");
        node.Ip_("link", "set", "m0", "up");
        node.Ip_("link", "set", "m0p", "up");
        using var files = new TempDir("cdd-pm");
        string ipam = files.Sub("ipam");
        using var podman = new PodmanHost(node.Path, PluginDirs, new Dictionary<string, string> { ["CDD_STATE_DIR"] = files.Sub("state") });
        podman.AddNetwork("mvnet", Conflists.Macvlan("mvnet", "m0", ipam, "10.77.0.0/24", "10.77.0.1"));
        var nodeLinks = Links(node);

        var a = podman.Run("a", "mvnet", "sleep", "600");
        var b = podman.Run("b", "mvnet", "sleep", "600");
        SeesItsAddressAndPings(podman, ipam, "mvnet", a, b);

        podman.Remove(a, b);
        AssertReleased(podman, ipam, "mvnet", a, b);
        Assert.Equal(nodeLinks.Keys.Order(), Links(node).Keys.Order());
    }

    [Fact]
    public void Podman_containers_on_one_overlay_bridge_ping_each_other()
    {
        Root.Require("network namespaces and containers");
        _ = RepoRoot.CddCni;
        using var node = new TestNetns("cddpo");
        node.Ip_("link", "add", "ul0", "type", "veth", "peer", "name", "ul0p");
        node.Ip_("addr", "add", "192.168.77.1/24", "dev", "ul0");
        node.Ip_("link", "set", "ul0", "up");
        node.Ip_("link", "set", "ul0p", "up");
        using var files = new TempDir("cdd-po");
        string ipam = files.Sub("ipam");
        using var podman = new PodmanHost(node.Path, PluginDirs, new Dictionary<string, string> { ["CDD_STATE_DIR"] = files.Sub("state") });
        // One conflist serves every node, so the node's own underlay address is among the peers.
        podman.AddNetwork("ovl", Conflists.Overlay("ovl", "cdd0", 100, "ul0", "192.168.77.1", ["192.168.77.1"],
            ipam, "10.78.0.0/24", "10.78.0.1"));
        var nodeLinks = Links(node);

        var a = podman.Run("a", "ovl", "sleep", "600");
        var b = podman.Run("b", "ovl", "sleep", "600");
        SeesItsAddressAndPings(podman, ipam, "ovl", a, b);

        var fabric = Links(node);
        var vxlan = fabric.Values.Single(l => Kind(l) == "vxlan");
        var data = vxlan.GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(100, data.GetProperty("id").GetInt32());
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal("cdd0", Master(vxlan));
        Assert.Equal(2, fabric.Values.Count(l => Kind(l) == "veth" && Master(l) == "cdd0"));

        podman.Remove(a, b);
        AssertReleased(podman, ipam, "ovl", a, b);
        // The pods' veths are gone; only the node fabric (bridge and VXLAN) may stay for the next pod.
        var left = Links(node).Where(kv => !nodeLinks.ContainsKey(kv.Key)).ToList();
        Assert.All(left, kv => Assert.True(kv.Key == "cdd0" || Kind(kv.Value) == "vxlan", $"{kv.Key} ({Kind(kv.Value)}) leaked"));
    }

    static void SeesItsAddressAndPings(PodmanHost podman, string ipamDir, string network, PodmanContainer a, PodmanContainer b)
    {
        var addrA = HostLocalStore.AddressOf(ipamDir, network, a.Id);
        var addrB = HostLocalStore.AddressOf(ipamDir, network, b.Id);
        string shown = podman.Exec(a, "ip", "-4", "addr", "show", "dev", "eth0").EnsureSuccess("ip addr in container a").Stdout;
        Assert.Contains($"inet {addrA}/24 ", shown);
        var ping = podman.Exec(a, "ping", "-c", "1", "-W", "5", addrB.ToString());
        Assert.True(ping.ExitCode == 0, $"container a ({addrA}) cannot ping b ({addrB}):\n{ping.Stdout}{ping.Stderr}");
    }

    static void AssertReleased(PodmanHost podman, string ipamDir, string network, params PodmanContainer[] removed)
    {
        Assert.Empty(podman.Podman("ps", "-aq").EnsureSuccess("podman ps").Stdout.Trim());
        var held = HostLocalStore.Allocations(ipamDir, network);
        Assert.True(held.Count == 0, "host-local still holds " + string.Join(", ", held.Select(kv => $"{kv.Key} for {kv.Value}")));
        foreach (var c in removed)
            Assert.False(File.Exists(c.SandboxKey), $"podman left {c.Name}'s namespace {c.SandboxKey}");
    }

    static Dictionary<string, JsonElement> Links(TestNetns ns) =>
        Ip.Json("-n", ns.Name, "-d", "link", "show").EnumerateArray()
            .ToDictionary(l => l.GetProperty("ifname").GetString()!);

    static string? Kind(JsonElement link) =>
        link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) ? k.GetString() : null;

    static string? Master(JsonElement link) => link.TryGetProperty("master", out var m) ? m.GetString() : null;
}

using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>Root: bad input to the real binary gets the spec's code, a message naming the field, and no half-made state.</summary>
[Tier(Tier.Root)]
public sealed class BadInputTests : IDisposable
{
    readonly MacvlanNode _n = new();
    readonly TestNetns _pod;

    public BadInputTests() => _pod = _n.NewPod();

    public void Dispose() => _n.Dispose();

    CniOutcome AddWith(string config, IDictionary<string, string>? env = null, string ifName = "eth0", bool netns = true) =>
        _n.Cni.Exec("ADD", config, "bad1", netns ? _pod.Path : null, ifName, env);

    void NothingMade()
    {
        Assert.Equal("lo", Assert.Single(Ip.Json("-n", _pod.Name, "link", "show").EnumerateArray()).GetProperty("ifname").GetString());
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
    }

    [Fact]
    public void Missing_ifname_is_code_4_naming_CNI_IFNAME()
    {
        Assert.Contains("CNI_IFNAME", AddWith(_n.Config(), ifName: "").Failed(4).Msg);
        NothingMade();
    }

    [Fact]
    public void Missing_netns_is_code_4_naming_CNI_NETNS()
    {
        Assert.Contains("CNI_NETNS", AddWith(_n.Config(), netns: false).Failed(4).Msg);
        NothingMade();
    }

    [Fact]
    public void Malformed_json_is_code_6()
    {
        AddWith("""{"cniVersion":"1.0.0","name":""").Failed(6);
        NothingMade();
    }

    [Fact]
    public void Unknown_mode_is_code_7_naming_the_mode()
    {
        var r = AddWith(_n.Config().Replace("\"macvlan\"", "\"ipvlan\"")).Failed(7);
        Assert.Contains("ipvlan", r.Msg);
        Assert.Contains("mode", r.Msg);
        NothingMade();
    }

    [Fact]
    public void Unknown_cni_version_is_code_1()
    {
        Assert.Contains("9.9.9", AddWith(_n.Config("9.9.9")).Failed(1).Msg);
        NothingMade();
    }

    [Fact]
    public void Mtu_above_the_masters_is_code_7_naming_mtu_and_master()
    {
        var r = AddWith(_n.Config(extra: ""","mtu":9000""")).Failed(7);
        Assert.Contains("mtu 9000", r.Msg);
        Assert.Contains("m0", r.Msg);
        NothingMade();
    }

    [Fact]
    public void Missing_master_is_code_7_naming_master()
    {
        var r = AddWith(_n.Config().Replace("\"m0\"", "\"eth77\"")).Failed(7);
        Assert.Contains("master", r.Msg);
        Assert.Contains("eth77", r.Msg);
        NothingMade();
    }

    [Fact]
    public void Unknown_macvlan_mode_is_code_7_naming_macvlanMode()
    {
        Assert.Contains("macvlanMode", AddWith(_n.Config(extra: ""","macvlanMode":"loud" """)).Failed(7).Msg);
        NothingMade();
    }

    [Fact]
    public void Ifname_that_already_exists_in_the_pod_is_refused_and_left_alone()
    {
        _pod.Ip_("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        var r = AddWith(_n.Config()).Failed(103);
        Assert.Contains("eth0", r.Msg);
        Assert.Equal("veth", Ip.Link(_pod.Name, "eth0")!.Value.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
    }

    [Fact]
    public void Missing_pod_netns_on_add_is_code_3()
    {
        var r = _n.Cni.Exec("ADD", _n.Config(), "bad2", "/var/run/netns/cdd-no-such-pod");
        Assert.Contains("cdd-no-such-pod", r.Failed(3).Msg);
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
    }
}

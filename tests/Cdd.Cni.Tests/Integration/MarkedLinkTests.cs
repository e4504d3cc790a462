using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>Root: cdd-cni deletes only links that carry its attachment's mark, and never works in its own namespace.</summary>
[Tier(Tier.Root)]
public sealed class MarkedLinkTests : IDisposable
{
    readonly MacvlanNode _n = new();

    public void Dispose() => _n.Dispose();

    string GcConfig() => CniRun.With(_n.Config("1.1.0"), "cni.dev/valid-attachments", "[]");

    [Fact]
    public void Add_marks_the_pod_interface_with_its_attachment()
    {
        var pod = _n.NewPod();
        _n.Cni.Add(_n.Config(), "mark1", pod).Ok("ADD");
        var link = Ip.Link(pod.Name, "eth0")!.Value;
        Assert.Equal("cdd-cni mark1/eth0", link.GetProperty("ifalias").GetString());
        _n.Cni.Del(_n.Config(), "mark1", pod.Path).Ok("DEL");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
    }

    [Fact]
    public void An_unmarked_same_named_link_in_the_pod_survives_del_and_gc()
    {
        var pod = _n.NewPod();
        pod.Ip_("link", "add", "p0", "type", "veth", "peer", "name", "p1");
        pod.Ip_("link", "add", "link", "p0", "name", "eth0", "type", "macvlan");
        var del = _n.Cni.Del(_n.Config(), "other1", pod.Path).Ok("DEL");
        Assert.Contains("left macvlan link eth0", del.Stderr);
        Assert.Contains("does not carry the mark", del.Stderr);
        _n.Cni.Exec("GC", GcConfig()).Ok("GC");
        Assert.NotNull(Ip.Link(pod.Name, "eth0"));
    }

    [Fact]
    public void A_link_marked_for_another_attachment_survives_del()
    {
        var pod = _n.NewPod();
        _n.Cni.Add(_n.Config(), "owner1", pod).Ok("ADD");
        _n.Cni.Del(_n.Config(), "intruder1", pod.Path).Ok("DEL");
        Assert.NotNull(Ip.Link(pod.Name, "eth0"));
        _n.Cni.Del(_n.Config(), "owner1", pod.Path).Ok("DEL");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
    }

    [Fact]
    public void The_node_namespace_as_CNI_NETNS_is_refused_on_every_verb_and_its_same_named_link_survives()
    {
        _n.Node.Ip_("link", "add", "link", "m0", "name", "eth0", "type", "macvlan");
        var before = Ip.Json("-n", _n.Node.Name, "link", "show").ToString();

        var add = _n.Cni.Exec("ADD", _n.Config(), "host1", _n.Node.Path).Failed(4);
        Assert.Contains("CNI_NETNS", add.Msg);
        Assert.Contains("own network namespace", add.Msg);
        _n.Cni.Exec("DEL", _n.Config(), "host1", _n.Node.Path).Failed(4);
        _n.Cni.Exec("CHECK", CniRun.WithPrevResult(_n.Config(), """{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}],"ips":[]}"""), "host1", _n.Node.Path).Failed(4);
        _n.Cni.Exec("DEL", _n.Config(), "host1", "/proc/self/ns/net").Failed(4);
        _n.Cni.Exec("GC", GcConfig()).Ok("GC");

        Assert.Equal(before, Ip.Json("-n", _n.Node.Name, "link", "show").ToString());
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
    }

    [Fact]
    public void Del_after_a_kill_between_create_and_mark_still_removes_the_temporary_link()
    {
        var pod = _n.NewPod();
        // What a killed ADD leaves when it dies right after create: the attachment's temporary name, no alias yet.
        string tmp = Cdd.Cni.Plumbing.StableName.Of("cddt", "tmp1/eth0");
        pod.Ip_("link", "add", "p0", "type", "veth", "peer", "name", "p1");
        pod.Ip_("link", "add", "link", "p0", "name", tmp, "type", "macvlan");
        _n.Cni.Del(_n.Config(), "tmp1", pod.Path).Ok("DEL");
        Assert.Null(Ip.Link(pod.Name, tmp));
    }
}

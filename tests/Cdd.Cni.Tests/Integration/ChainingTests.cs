using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>
/// Root: a conflist that chains Debian's reference `tuning` after cdd-cni, run the way libcni runs a
/// list: each plugin gets the list's name and cniVersion and the previous plugin's result as prevResult;
/// DEL goes through the list in reverse.
/// </summary>
[Tier(Tier.Root)]
public sealed class ChainingTests : IDisposable
{
    readonly MacvlanNode _n = new();

    public void Dispose() => _n.Dispose();

    [Fact]
    public void Tuning_chained_after_cdd_cni_sees_its_result_and_applies_settings()
    {
        using var pod = _n.NewPod();
        string main = _n.Config("1.0.0"); // Debian's plugins speak CNI up to 1.0.0
        string tuning = """{"cniVersion":"1.0.0","name":"mvnet","type":"tuning","mtu":1400,"promisc":true,"sysctl":{"net.ipv4.conf.eth0.arp_notify":"1"}}""";
        var tuningRun = new CniRun { CniPath = _n.Cni.CniPath, StateDir = _n.Cni.StateDir, NodeNetns = _n.Node.Name, Binary = "/usr/lib/cni/tuning" };

        var first = _n.Cni.Add(main, "ch1", pod).Ok("cdd-cni ADD");
        var second = tuningRun.Exec("ADD", CniRun.WithPrevResult(tuning, first.Stdout), "ch1", pod.Path).Ok("tuning ADD");
        // tuning passes the result on, with the MTU it set
        Assert.Equal("10.77.0.2/24", second.Json.GetProperty("ips")[0].GetProperty("address").GetString());

        var link = Ip.Link(pod.Name, "eth0")!.Value;
        Assert.Equal(1400, link.GetProperty("mtu").GetInt32());
        Assert.Contains("PROMISC", link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("1", Exec.Run("ip", "netns", "exec", pod.Name, "cat", "/proc/sys/net/ipv4/conf/eth0/arp_notify").Stdout.Trim());

        tuningRun.Exec("DEL", CniRun.WithPrevResult(tuning, second.Stdout), "ch1", pod.Path).Ok("tuning DEL");
        _n.Cni.Del(main, "ch1", pod.Path).Ok("cdd-cni DEL");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(HostLocalStore.Allocations(_n.DataDir, "mvnet"));
    }
}

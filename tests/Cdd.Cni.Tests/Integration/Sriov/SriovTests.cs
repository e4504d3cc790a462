using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration.Sriov;

/// <summary>Root: the sriov mode on a fake sysfs whose VFs are real netdevs; iproute2 is the oracle.</summary>
[Tier(Tier.Root)]
public sealed class SriovTests : IDisposable
{
    readonly FakeSriovNode _n = new();

    public void Dispose() => _n.Dispose();

    [Fact]
    public void Add_moves_the_chosen_vf_into_the_pod_with_name_mac_mtu_address_and_route_and_del_brings_it_back()
    {
        var pod = _n.NewPod();
        string conf = _n.Config($"\"deviceID\":\"{FakeSriovNode.VfPci(2)}\",\"mtu\":1400", version: "1.1.0");
        string mac = "02:11:22:33:44:55";
        var add = _n.Add(CniRun.With(conf, "runtimeConfig", $$"""{"mac":"{{mac}}"}"""), "c1", pod).Ok("ADD");

        Assert.Null(Ip.Link(_n.Node.Name, "vf2"));
        var link = Ip.Link(pod.Name, "eth0")!.Value;
        Assert.Equal(mac, link.GetProperty("address").GetString());
        Assert.Equal(1400, link.GetProperty("mtu").GetInt32());
        Assert.Equal(["10.66.0.2/24"], Ip.Addresses(pod.Name, "eth0"));
        Assert.Contains("default via 10.66.0.1 dev eth0", pod.Ip_("route", "show"));
        var iface = add.Json.GetProperty("interfaces")[0];
        Assert.Equal(FakeSriovNode.VfPci(2), iface.GetProperty("pciID").GetString());
        Assert.Equal(pod.Path, iface.GetProperty("sandbox").GetString());

        _n.Cni.Exec("CHECK", CniRun.WithPrevResult(conf, add.Stdout), "c1", pod.Path, "eth0", _n.Env).Ok("CHECK");

        _n.Del(conf, "c1", pod.Path).Ok("DEL");
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        var back = Ip.Link(_n.Node.Name, "vf2")!.Value;
        Assert.NotEqual(mac, back.GetProperty("address").GetString());
        Assert.Equal(1500, back.GetProperty("mtu").GetInt32());
        _n.Del(conf, "c1", pod.Path).Ok("DEL again");
    }

    [Fact]
    public void Two_concurrent_adds_on_one_pf_pool_get_different_vfs()
    {
        var pods = Enumerable.Range(0, 4).Select(_ => _n.NewPod()).ToList();
        string conf = _n.Config();
        var outcomes = new CniOutcome[pods.Count];
        Parallel.For(0, pods.Count, i => outcomes[i] = _n.Add(conf, $"c{i}", pods[i]));

        foreach (var o in outcomes) o.Ok("ADD");
        var vfs = outcomes.Select(o => o.Json.GetProperty("interfaces")[0].GetProperty("pciID").GetString()).ToList();
        Assert.Equal(4, vfs.Distinct().Count());
        for (int i = 0; i < 4; i++) Assert.Null(Ip.Link(_n.Node.Name, $"vf{i}"));
    }

    [Fact]
    public void A_pool_without_a_free_vf_is_a_clear_error_that_changes_nothing()
    {
        // VF 4 is bound to vfio-pci (DPDK), VF 5 has no netdev: neither may be taken.
        _n.AddVf(4, null, "vfio-pci");
        _n.AddVf(5, null, "iavf");
        string conf = _n.Config();
        for (int i = 0; i < 4; i++) _n.Add(conf, $"c{i}", _n.NewPod()).Ok($"ADD {i}");

        var last = _n.NewPod();
        var r = _n.Add(conf, "c-last", last).Failed(104);
        Assert.Contains("no free VF on pf0", r.Msg);
        Assert.Null(Ip.Link(last.Name, "eth0"));
        Assert.Equal(4, Directory.GetFiles(Path.Combine(_n.Cni.StateDir, "sriov", "attachments")).Length);
        Assert.False(File.Exists(Path.Combine(_n.DataDir, "srnet", "10.66.0.6")), "the address must not be kept");
    }

    [Fact]
    public void Gc_gives_back_the_vfs_of_attachments_the_runtime_no_longer_lists()
    {
        var keep = _n.NewPod();
        var drop = _n.NewPod();
        string conf = _n.Config();
        string kept = _n.Add(conf, "keep", keep).Ok("ADD keep").Json.GetProperty("interfaces")[0].GetProperty("pciID").GetString()!;
        _n.Add(conf, "drop", drop).Ok("ADD drop");

        string gc = CniRun.With(conf, "cni.dev/valid-attachments", """[{"containerID":"keep","ifname":"eth0"}]""");
        _n.Cni.Exec("GC", gc, extra: _n.Env).Ok("GC");

        Assert.NotNull(Ip.Link(keep.Name, "eth0"));
        Assert.Null(Ip.Link(drop.Name, "eth0"));
        var claims = Directory.GetFiles(Path.Combine(_n.Cni.StateDir, "sriov", "vfs")).Select(Path.GetFileName).ToList();
        Assert.Equal([kept], claims);
        Assert.Equal(3, Enumerable.Range(0, 4).Count(i => Ip.Link(_n.Node.Name, $"vf{i}") is not null));
    }

    [Fact]
    public void Del_succeeds_when_the_pod_namespace_is_gone_and_when_the_state_is_gone()
    {
        var pod = _n.NewPod();
        string conf = _n.Config($"\"deviceID\":\"{FakeSriovNode.VfPci(1)}\"");
        _n.Add(conf, "c1", pod).Ok("ADD");
        string podPath = pod.Path;
        pod.Dispose();

        _n.Del(conf, "c1", podPath).Ok("DEL without namespace");
        Assert.Empty(Directory.GetFiles(Path.Combine(_n.Cni.StateDir, "sriov", "attachments")));
        _n.Del(conf, "c1", podPath).Ok("DEL without state");
        // The VF is free again (a real one comes back to the host by itself; this veth stand-in died with the namespace).
        Assert.Empty(Directory.GetFiles(Path.Combine(_n.Cni.StateDir, "sriov", "vfs")));
    }

    [Fact]
    public void Kill_9_during_add_then_del_leaves_the_vf_back_in_the_host_under_its_name()
    {
        var pod = _n.NewPod();
        // The IPAM plugin sleeps: cdd-cni has claimed the VF and written its state, and is killed while it waits.
        string slowIpam = Path.Combine(_n.Temp.Sub("bin"), "slow-ipam");
        File.WriteAllText(slowIpam, "#!/bin/sh\nsleep 30\n");
        File.SetUnixFileMode(slowIpam, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var cni = new CniRun { CniPath = $"{Path.GetDirectoryName(slowIpam)}:{RepoRoot.Out}:/usr/lib/cni", StateDir = _n.Cni.StateDir, NodeNetns = _n.Node.Name };
        string conf = _n.Config($"\"deviceID\":\"{FakeSriovNode.VfPci(3)}\"", ipam: """{"type":"slow-ipam"}""");

        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = "ADD", ["CNI_PATH"] = cni.CniPath, ["CDD_STATE_DIR"] = cni.StateDir, ["CNI_CONTAINERID"] = "killed",
            ["CNI_NETNS"] = pod.Path, ["CNI_IFNAME"] = "eth0", ["CDD_SYSFS_ROOT"] = _n.SysRoot,
        };
        using (var p = RunningProcess.Start("nsenter", [$"--net=/var/run/netns/{_n.Node.Name}", RepoRoot.CddCni], env, stdin: conf, clearEnv: true))
        {
            string state = Path.Combine(cni.StateDir, "sriov", "attachments", "killed-eth0.json");
            Eventually.True("cdd-cni to write its state before waiting on IPAM", () => File.Exists(state), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(25));
            Exec.Run("pkill", "-9", "-f", "slow-ipam");
            p.Kill();
        }

        var del = cni.Exec("DEL", _n.Config($"\"deviceID\":\"{FakeSriovNode.VfPci(3)}\"", ipam: _n.HostLocal()), "killed", pod.Path, "eth0", _n.Env);
        del.Ok("DEL after kill");
        Assert.NotNull(Ip.Link(_n.Node.Name, "vf3"));
        Assert.Null(Ip.Link(pod.Name, "eth0"));
        Assert.Empty(Directory.GetFiles(Path.Combine(cni.StateDir, "sriov", "vfs")));
    }
}

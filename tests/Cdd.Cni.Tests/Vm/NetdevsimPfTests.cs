namespace Cdd.Cni.Tests.Vm;

/// <summary>
/// The VM-tier infrastructure the SR-IOV tests stand on: a netdevsim PF in Debian's stock kernel keeps the VF
/// settings set through it over rtnetlink and reports them back, as iproute2 reads them. Each test starts from a
/// freshly created device (<see cref="NetdevsimGuest.ResetPf"/>).
/// </summary>
[Collection(NetdevsimCollection.Name)]
[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class NetdevsimPfTests
{
    const string Pf = NetdevsimGuest.Pf;
    readonly NetdevsimGuest _guest;

    public NetdevsimPfTests(NetdevsimGuest guest)
    {
        _guest = guest;
        _guest.ResetPf();
    }

    [Fact]
    public void Fresh_pf_has_four_vfs_at_initial_settings_and_no_sriov_totalvfs()
    {
        var r = _guest.Run($"""
            cat {NetdevsimGuest.DeviceSysfs}/sriov_numvfs
            test -e {NetdevsimGuest.DeviceSysfs}/sriov_totalvfs && echo totalvfs || echo no-totalvfs
            basename $(readlink -f /sys/class/net/{Pf}/device)
            """).EnsureSuccess("read the PF's sysfs");

        Assert.Equal($"{NetdevsimGuest.VfCount}\nno-totalvfs\nnetdevsim{NetdevsimGuest.DeviceId}\n", r.Stdout);
        Assert.Equal(Enumerable.Range(0, NetdevsimGuest.VfCount).Select(IpVf.Initial), _guest.ReadVfs());
    }

    [Fact]
    public void Mac_vlan_qos_spoofchk_and_trust_set_through_the_pf_read_back_on_that_vf_only()
    {
        _guest.Run($"""
            set -e
            ip link set {Pf} vf 1 spoofchk on
            ip link set {Pf} vf 1 mac 02:11:22:33:44:55 vlan 120 qos 3 spoofchk off trust on
            ip link set {Pf} vf 2 spoofchk on
            """).EnsureSuccess("set VF settings");

        var vfs = _guest.ReadVfs();

        Assert.Equal(IpVf.Initial(1) with { Mac = "02:11:22:33:44:55", Vlan = 120, Qos = 3, Trust = true }, vfs[1]);
        Assert.Equal(IpVf.Initial(2) with { SpoofCheck = true }, vfs[2]);
        Assert.Equal(IpVf.Initial(0), vfs[0]);
        Assert.Equal(IpVf.Initial(3), vfs[3]);
    }

    [Fact]
    public void Tx_rates_and_link_state_are_kept_and_reported()
    {
        _guest.Run($"""
            set -e
            ip link set {Pf} vf 3 min_tx_rate 10 max_tx_rate 100 state disable
            ip link set {Pf} vf 0 state enable
            ip link set {Pf} vf 2 max_tx_rate 250
            """).EnsureSuccess("set VF rates and link states");

        var vfs = _guest.ReadVfs();

        Assert.Equal(IpVf.Initial(3) with { MinTxRate = 10, MaxTxRate = 100, LinkState = "disable" }, vfs[3]);
        Assert.Equal(IpVf.Initial(0) with { LinkState = "enable" }, vfs[0]);
        Assert.Equal(IpVf.Initial(2) with { MaxTxRate = 250 }, vfs[2]);
    }

    [Fact]
    public void Vlan_protocol_802_1ad_is_kept_and_reported_and_802_1q_comes_back()
    {
        _guest.Run($"ip link set {Pf} vf 2 vlan 130 qos 5 proto 802.1ad").EnsureSuccess("set an 802.1ad VLAN");
        Assert.Equal(IpVf.Initial(2) with { Vlan = 130, Qos = 5, VlanProtocol = "802.1ad" }, _guest.ReadVfs()[2]);

        _guest.Run($"ip link set {Pf} vf 2 vlan 0").EnsureSuccess("clear the VLAN");
        Assert.Equal(IpVf.Initial(2), _guest.ReadVfs()[2]);
    }

    [Fact]
    public void Vf_index_past_the_enabled_count_and_a_multicast_vf_mac_are_refused()
    {
        var past = _guest.Run($"ip link set {Pf} vf {NetdevsimGuest.VfCount} trust on");
        var multicast = _guest.Run($"ip link set {Pf} vf 0 mac 03:00:00:00:00:01");

        Assert.NotEqual(0, past.ExitCode);
        Assert.Contains("Invalid argument", past.Stderr);
        Assert.NotEqual(0, multicast.ExitCode);
        Assert.Equal(Enumerable.Range(0, NetdevsimGuest.VfCount).Select(IpVf.Initial), _guest.ReadVfs());
    }

    [Fact]
    public void Reset_pf_brings_every_vf_back_to_initial_settings_under_the_same_name()
    {
        _guest.Run($"""
            set -e
            for vf in 0 1 2 3; do ip link set {Pf} vf $vf mac 02:00:00:00:00:0$vf vlan 1$vf trust on spoofchk on max_tx_rate 5; done
            """).EnsureSuccess("dirty every VF");

        _guest.ResetPf();

        Assert.Equal(Enumerable.Range(0, NetdevsimGuest.VfCount).Select(IpVf.Initial), _guest.ReadVfs());
    }

    [Fact]
    public void Guest_stands_in_vf_netdevs_with_veth_and_macvlan_moved_into_namespaces()
    {
        // What the SR-IOV VM test does around cdd-cni: netdevs standing in for the VFs, a pod namespace, a move and a
        // rename inside it. Everything is removed on the way out, also when a step fails.
        var r = _guest.Run($"""
            set -e
            trap 'set +e; ip netns del smokepod 2>/dev/null; ip link del smokevf0 2>/dev/null; ip link del smokevf1 2>/dev/null' EXIT
            ip netns add smokepod
            ip link add smokevf0 type veth peer name smokevf0p
            ip link add smokevf1 link {Pf} type macvlan mode bridge
            ip link set smokevf1 netns smokepod
            ip -n smokepod link set smokevf1 name net1
            ip -n smokepod link set net1 up
            ip netns exec smokepod ls /sys/class/net
            ls /sys/class/net | grep smoke
            """).EnsureSuccess("stand-in VF netdevs in a namespace");

        Assert.Equal("lo\nnet1\nsmokevf0\nsmokevf0p\n", r.Stdout);
        Assert.Equal("", _guest.Run("ip netns list; ip -br link show | grep smoke || true").Stdout);
    }
}

using System.Text.Json;
using Cdd.Testing;

namespace Cdd.Cni.Tests.Vm;

/// <summary>
/// Root + QEMU: cdd-cni's sriov mode on Debian's stock kernel with a netdevsim PF. The VF settings go through the real
/// PF over rtnetlink and are read back by iproute2; the VF netdevs are veths in the guest (netdevsim's VFs have none),
/// described by a sysfs tree under CDD_SYSFS_ROOT whose PF entry names the netdevsim PF.
/// </summary>
[Collection(NetdevsimCollection.Name)]
[Tier(Tier.Vm)]
public class SriovVmTests
{
    const string Pf = NetdevsimGuest.Pf;
    const string Sys = "/tmp/sriov-sys";
    readonly NetdevsimGuest _guest;
    static string Out => RepoRoot.Out;

    public SriovVmTests(NetdevsimGuest guest)
    {
        _guest = guest;
        _guest.ResetPf();
        // The fake PCI layout: PF 0000:3b:00.0 is nsimpf0; VF N is 0000:3b:02.N, bound to iavf, netdev gvfN (a veth, peer up).
        _guest.Run($$"""
            set -e
            rm -rf {{Sys}} /tmp/sriov-state /tmp/sriov-ipam
            for n in 0 1 2 3; do ip link del gvf$n 2>/dev/null || true; done
            for p in $(ip netns list | awk '/^srpod/ {print $1}'); do ip netns del $p; done
            mkdir -p {{Sys}}/sys/bus/pci/drivers/iavf {{Sys}}/sys/bus/pci/devices/0000:3b:00.0/net/{{Pf}} {{Sys}}/sys/class/net/{{Pf}}
            ln -s ../../../bus/pci/devices/0000:3b:00.0 {{Sys}}/sys/class/net/{{Pf}}/device
            echo {{NetdevsimGuest.VfCount}} > {{Sys}}/sys/bus/pci/devices/0000:3b:00.0/sriov_totalvfs
            for n in 0 1 2 3; do
              d={{Sys}}/sys/bus/pci/devices/0000:3b:02.$n
              mkdir -p $d/net/gvf$n
              ln -s ../0000:3b:00.0 $d/physfn
              ln -s ../../../../bus/pci/drivers/iavf $d/driver
              ln -s ../0000:3b:02.$n {{Sys}}/sys/bus/pci/devices/0000:3b:00.0/virtfn$n
              ip link add gvf$n type veth peer name gvf${n}p
              ip link set gvf${n}p up
            done
            """).EnsureSuccess("fake SR-IOV sysfs with veth VFs");
    }

    /// <summary>A script that runs cdd-cni (or another binary) as a runtime does, in the guest.</summary>
    static string Exec(string verb, string config, string container, string netns, string binary = "cdd-cni", string args = "") => $"""
        printf '%s' '{config}' | env -i CNI_COMMAND={verb} CNI_CONTAINERID={container} CNI_NETNS={netns} CNI_IFNAME=eth0 \
          CNI_PATH={Out}:/usr/lib/cni CDD_STATE_DIR=/tmp/sriov-state CDD_SYSFS_ROOT={Sys} {(args == "" ? "" : $"CNI_ARGS='{args}'")} {Out}/{binary}
        """;

    static string Conf(string fields, string ipam) =>
        "{\"cniVersion\":\"1.1.0\",\"name\":\"srnet\",\"type\":\"cdd-cni\",\"mode\":\"sriov\"," + fields + ",\"ipam\":" + ipam + "}";

    static string HostLocal => """{"type":"host-local","dataDir":"/tmp/sriov-ipam","ranges":[[{"subnet":"10.66.0.0/24","gateway":"10.66.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}""";

    [Fact]
    public void Add_sets_every_vf_setting_through_the_pf_and_del_puts_back_what_was_there()
    {
        // VF 1 starts with settings of its own: DEL must restore them, not zeros.
        _guest.Run($"ip link set {Pf} vf 1 mac 02:aa:00:00:00:01 vlan 7 spoofchk on").EnsureSuccess("VF 1's previous settings");
        var before = _guest.ReadVfs();
        string conf = Conf("\"deviceID\":\"0000:3b:02.1\",\"vlan\":120,\"vlanQoS\":3,\"vlanProto\":\"802.1ad\",\"spoofchk\":\"off\",\"trust\":\"on\"," +
                           "\"link_state\":\"enable\",\"min_tx_rate\":10,\"max_tx_rate\":100,\"mac\":\"02:11:22:33:44:55\"", HostLocal);

        var add = _guest.Run($"""
            set -e
            ip netns add srpod1
            {Exec("ADD", conf, "c1", "/var/run/netns/srpod1")}
            echo
            ip -n srpod1 -br addr show eth0
            ip -n srpod1 -br link show eth0
            """);
        add.EnsureSuccess("cdd-cni ADD in the guest");
        var vfs = _guest.ReadVfs();

        Assert.Equal(IpVf.Initial(1) with
        {
            Mac = "02:11:22:33:44:55", Vlan = 120, Qos = 3, VlanProtocol = "802.1ad", SpoofCheck = false, Trust = true,
            LinkState = "enable", MinTxRate = 10, MaxTxRate = 100,
        }, vfs[1]);
        Assert.Equal(before[0], vfs[0]);
        Assert.Equal(before[2], vfs[2]);
        Assert.Contains("10.66.0.2/24", add.Stdout);
        Assert.Contains("02:11:22:33:44:55", add.Stdout);
        var result = JsonDocument.Parse(add.Stdout.Split('\n')[0]).RootElement;
        Assert.Equal("0000:3b:02.1", result.GetProperty("interfaces")[0].GetProperty("pciID").GetString());

        var del = _guest.Run($"""
            set -e
            {Exec("DEL", conf, "c1", "/var/run/netns/srpod1")}
            {Exec("DEL", conf, "c1", "/var/run/netns/srpod1")}
            ip -br link show gvf1
            ip netns del srpod1
            """);
        del.EnsureSuccess("cdd-cni DEL twice in the guest");
        Assert.StartsWith("gvf1", del.Stdout);
        Assert.Equal(before, _guest.ReadVfs());
    }

    [Fact]
    public void A_fixed_address_of_the_vlan_120_segment_gets_vlan_120_on_its_vf_on_a_node_whose_untagged_segment_is_vlan_100()
    {
        static string Ipam(string node, string rack, string trunk) =>
            $$$"""{"type":"cdd-ipam","store":"file","dataDir":"/tmp/sriov-ipam","fixedStatefulSets":["mysql"],"node":{"name":"{{{node}}}","labels":{"rack":"{{{rack}}}"},"trunkVlans":[{{{trunk}}}]},"pool":{"name":"mysql","segments":[{"name":"seg-a","subnet":"10.10.0.0/24","gateway":"10.10.0.1","vlan":100,"nodeSelector":{"rack":"a"}},{"name":"seg-b","subnet":"10.20.0.0/24","gateway":"10.20.0.1","vlan":120,"nodeSelector":{"rack":"b"}}]}}""";
        const string member = "IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME=mysql-0;K8S_POD_UID=u1";
        string onB = Conf("\"pfs\":[\"nsimpf0\"]", Ipam("node-b", "b", ""));
        string onA = Conf("\"pfs\":[\"nsimpf0\"]", Ipam("node-a", "a", "120"));

        // The member first ran on a rack-b node: its address is bound in seg-b (VLAN 120). Then it lands on rack a.
        var bound = _guest.Run($"""
            set -e
            {Exec("ADD", onB, "first", "/proc/self/ns/net", "cdd-ipam", member)}
            echo
            {Exec("DEL", onB, "first", "/proc/self/ns/net", "cdd-ipam", member)}
            """);
        bound.EnsureSuccess("bind mysql-0 in seg-b");
        var ipamFirst = JsonDocument.Parse(bound.Stdout.Split('\n')[0]).RootElement;
        Assert.Equal(120, ipamFirst.GetProperty("vlan").GetInt32());
        string address = ipamFirst.GetProperty("ips")[0].GetProperty("address").GetString()!;

        var add = _guest.Run($"""
            set -e
            ip netns add srpod2
            {Exec("ADD", onA, "second", "/var/run/netns/srpod2", args: member)}
            """);
        add.EnsureSuccess("cdd-cni sriov ADD on the rack-a node");
        var result = JsonDocument.Parse(add.Stdout).RootElement;
        Assert.Equal(address, result.GetProperty("ips")[0].GetProperty("address").GetString());
        int vf = int.Parse(result.GetProperty("interfaces")[0].GetProperty("pciID").GetString()!.Split('.')[1]);
        Assert.Equal(120, _guest.ReadVfs()[vf].Vlan);

        _guest.Run($"""
            set -e
            {Exec("DEL", onA, "second", "/var/run/netns/srpod2", args: member)}
            ip netns del srpod2
            """).EnsureSuccess("cdd-cni DEL");
        Assert.Equal(0, _guest.ReadVfs()[vf].Vlan);
    }
}

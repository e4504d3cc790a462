namespace Cdd.Cni.Tests.Integration.Sriov;

/// <summary>Root: refusals with the spec's code and a message naming the field; nothing moved, nothing claimed.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Root)]
public sealed class SriovBadInputTests : IDisposable
{
    readonly FakeSriovNode _n = new(vfs: 2);

    public void Dispose() => _n.Dispose();

    [Theory]
    [InlineData("\"deviceID\":\"0000:3b:09.0\"", 7, "no such PCI device")]
    [InlineData("\"deviceID\":\"0000:3b:00.0\"", 7, "is not a VF")]
    [InlineData("\"deviceID\":\"3b:02.0\"", 7, "deviceID \\\"3b:02.0\\\" is not a PCI address")]
    [InlineData("\"pfs\":[\"pf0\"],\"vlan\":4095", 7, "vlan 4095 is out of range")]
    [InlineData("\"pfs\":[\"pf0\"],\"vlan\":-1", 7, "vlan -1 is out of range")]
    [InlineData("\"pfs\":[\"pf0\"],\"vlanQoS\":3", 7, "vlanQoS needs vlan")]
    [InlineData("\"pfs\":[\"pf0\"],\"min_tx_rate\":200,\"max_tx_rate\":100", 7, "min_tx_rate 200 is above max_tx_rate 100")]
    [InlineData("\"pfs\":[\"pf0\"],\"trust\":\"yes\"", 7, "trust \\\"yes\\\" is not on or off")]
    [InlineData("\"pfs\":[\"pf0\"],\"spoofchk\":\"1\"", 7, "spoofchk \\\"1\\\" is not on or off")]
    [InlineData("\"pfs\":[\"nopf\"]", 7, "pfs: nopf has no PCI device")]
    [InlineData("\"vlan\":10", 7, "deviceID")]
    public void Bad_sriov_config_is_refused_naming_the_field_and_nothing_changes(string fields, int code, string says)
    {
        var pod = _n.NewPod();
        var r = _n.Add(_n.Config(fields), "c1", pod).Failed(code);
        Assert.Contains(says.Replace("\\\"", "\""), r.Msg);
        Assert.Null(Cdd.Testing.Ip.Link(pod.Name, "eth0"));
        Assert.NotNull(Cdd.Testing.Ip.Link(_n.Node.Name, "vf0"));
        Assert.False(Directory.Exists(Path.Combine(_n.Cni.StateDir, "sriov", "vfs")) && Directory.GetFiles(Path.Combine(_n.Cni.StateDir, "sriov", "vfs")).Length > 0);
    }

    [Fact]
    public void A_pf_without_sr_iov_is_refused_naming_it()
    {
        // A plain NIC function: a PCI device with a netdev, no sriov_totalvfs, no virtfn links.
        Directory.CreateDirectory(Path.Combine(_n.SysRoot, "sys/bus/pci/devices/0000:3c:00.0/net/plain0"));
        Directory.CreateDirectory(Path.Combine(_n.SysRoot, "sys/class/net/plain0"));
        File.CreateSymbolicLink(Path.Combine(_n.SysRoot, "sys/class/net/plain0/device"), "../../../bus/pci/devices/0000:3c:00.0");
        var r = _n.Add(_n.Config("\"pfs\":[\"plain0\"]"), "c1", _n.NewPod()).Failed(7);
        Assert.Contains("pfs: plain0 (0000:3c:00.0) is not an SR-IOV PF", r.Msg);
    }

    [Fact]
    public void A_vf_bound_to_vfio_pci_is_refused_as_deviceID()
    {
        _n.AddVf(5, null, "vfio-pci");
        var r = _n.Add(_n.Config($"\"deviceID\":\"{FakeSriovNode.VfPci(5)}\""), "c1", _n.NewPod()).Failed(7);
        Assert.Contains("vfio-pci (DPDK)", r.Msg);
    }

    [Fact]
    public void Vlan_settings_on_a_pf_whose_driver_reports_no_vfs_fail_and_leave_the_vf_in_the_host()
    {
        var pod = _n.NewPod();
        var r = _n.Add(_n.Config($"\"deviceID\":\"{FakeSriovNode.VfPci(0)}\",\"vlan\":120"), "c1", pod).Failed(101);
        Assert.Contains("does not report VF 0", r.Msg);
        Assert.NotNull(Cdd.Testing.Ip.Link(_n.Node.Name, "vf0"));
        Assert.Null(Cdd.Testing.Ip.Link(pod.Name, "eth0"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_n.Cni.StateDir, "sriov", "vfs")));
        Assert.Empty(Directory.GetFiles(_n.DataDir, "10.*", SearchOption.AllDirectories));
    }
}

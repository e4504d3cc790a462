using Cdd.Native.Sysfs;
using Cdd.Testing;

namespace Cdd.Native.Tests.Sysfs;

/// <summary>The SR-IOV layout read from a sysfs tree of the test's own (relative symlinks, as the kernel makes them).</summary>
[Tier(Tier.Unit)]
public sealed class SriovSysfsTests : IDisposable
{
    readonly TempDir _root = new("cdd-sysfs");
    readonly SriovSysfs _sysfs;

    public SriovSysfsTests()
    {
        _sysfs = new SriovSysfs(_root.Path);
        Dir("sys/bus/pci/devices/0000:3b:00.0/net/ens1f0");
        File.WriteAllText(Path.Combine(_root.Path, "sys/bus/pci/devices/0000:3b:00.0/sriov_totalvfs"), "64\n");
        File.WriteAllText(Path.Combine(_root.Path, "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs"), "12\n");
        Link("sys/class/net/ens1f0/device", "../../../bus/pci/devices/0000:3b:00.0");
        foreach (int i in new[] { 0, 2, 10 })
        {
            string vf = i == 10 ? "0000:3b:03.2" : $"0000:3b:02.{i}";
            Dir($"sys/bus/pci/devices/{vf}/net/ens1f0v{i}");
            Link($"sys/bus/pci/devices/{vf}/physfn", "../0000:3b:00.0");
            Link($"sys/bus/pci/devices/{vf}/driver", "../../../../bus/pci/drivers/iavf");
            Link($"sys/bus/pci/devices/0000:3b:00.0/virtfn{i}", $"../{vf}");
        }
        Dir("sys/bus/pci/devices/0000:5e:00.0/net/eno1");
    }

    public void Dispose() => _root.Dispose();

    void Dir(string rel) => Directory.CreateDirectory(Path.Combine(_root.Path, rel));

    void Link(string rel, string target)
    {
        string at = Path.Combine(_root.Path, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(at)!);
        File.CreateSymbolicLink(at, target);
    }

    [Fact]
    public void A_vf_knows_its_pf_index_driver_and_netdev()
    {
        var vf = _sysfs.Vf("0000:3b:03.2")!;
        Assert.Equal(new[] { "0000:3b:00.0", "iavf", "ens1f0v10" }, new[] { vf.PfPci, vf.Driver, vf.Netdevs.Single() });
        Assert.Equal(10, vf.Index);
    }

    [Fact]
    public void Virtfn_links_are_ordered_by_number_not_by_name() =>
        Assert.Equal([0, 2, 10], _sysfs.Vfs("0000:3b:00.0").Select(v => v.Index));

    [Fact]
    public void A_pf_is_found_from_its_netdev_and_counts_its_vfs()
    {
        Assert.Equal("0000:3b:00.0", _sysfs.PciOfNetdev("ens1f0"));
        Assert.True(_sysfs.IsPf("0000:3b:00.0"));
        Assert.Equal(64, _sysfs.TotalVfs("0000:3b:00.0"));
        Assert.Equal(12, _sysfs.NumVfs("0000:3b:00.0"));
    }

    [Fact]
    public void A_plain_function_is_neither_a_pf_nor_a_vf()
    {
        Assert.False(_sysfs.IsPf("0000:5e:00.0"));
        Assert.Null(_sysfs.Vf("0000:5e:00.0"));
        Assert.Null(_sysfs.PciOfNetdev("veth0"));
    }

    [Theory]
    [InlineData("0000:3b:02.1", true)]
    [InlineData("0000:3B:02.1", false)]
    [InlineData("3b:02.1", false)]
    [InlineData("0000:3b:02.8", false)]
    [InlineData("../../etc", false)]
    public void Pci_addresses_are_checked_before_they_touch_a_path(string text, bool valid) =>
        Assert.Equal(valid, SriovSysfs.IsPciAddress(text));
}

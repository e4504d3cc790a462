namespace Cdd.Vm.Tests;

/// <summary>A guest with one blank 1 GiB virtio disk (/dev/vda) for LVM.</summary>
public sealed class GuestWithDisk : IDisposable
{
    public GuestWithDisk()
    {
        Vm = Vm.Boot(new VmOptions { Disks = [1L << 30] });
        try { GuestLvm.Configure(Vm); }
        catch { Vm.Dispose(); throw; }
    }

    public Vm Vm { get; }

    public void Dispose() => Vm.Dispose();
}

[Cdd.Testing.Tier(Cdd.Testing.Tier.Vm)]
public class DeviceMapperTests(GuestWithDisk guest) : IClassFixture<GuestWithDisk>
{
    readonly Vm _vm = guest.Vm;

    [Fact]
    public void Device_mapper_driver_answers_in_the_guest()
    {
        var r = _vm.Run("dmsetup version").EnsureSuccess("dmsetup version");
        Assert.Contains("Driver version:", r.Stdout);
    }

    [Fact]
    public void Thin_pool_and_thin_volume_on_a_virtual_disk_hold_a_filesystem()
    {
        var r = _vm.Run("""
            set -e
            pvcreate -q /dev/vda >&2
            vgcreate -q vmtest /dev/vda >&2
            lvcreate -q --type thin-pool -L 512m -n pool vmtest >&2
            lvcreate -q --thin -V 256m -n vol vmtest/pool >&2
            mkfs.ext4 -q /dev/vmtest/vol
            mkdir -p /mnt/vol && mount /dev/vmtest/vol /mnt/vol
            echo data > /mnt/vol/file && sync
            cat /mnt/vol/file
            umount /mnt/vol
            lvs --reportformat json -o lv_name,pool_lv vmtest
            vgremove -q -f vmtest >&2
            pvremove -q /dev/vda >&2
            dmsetup ls
            """, TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        Assert.StartsWith("data\n", r.Stdout);
        Assert.Contains("\"lv_name\":\"vol\", \"pool_lv\":\"pool\"", r.Stdout);
        Assert.EndsWith("No devices found\n", r.Stdout);
    }
}

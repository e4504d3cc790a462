namespace Cdd.Vm;

/// <summary>LVM in a guest without udev: these settings go into the guest's lvm.conf, on its overlay only.</summary>
public static class GuestLvm
{
    public const string LocalConf = """
        devices { obtain_device_list_from_udev = 0 }
        activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
        global { use_lvmpolld = 0 }
        """;

    /// <summary>Writes /etc/lvm/lvmlocal.conf in the guest and loads the device-mapper targets LVM uses.</summary>
    public static void Configure(Vm vm) =>
        vm.Run($"""
            set -e
            mkdir -p /etc/lvm
            cat > /etc/lvm/lvmlocal.conf <<'CONF'
            {LocalConf}
            CONF
            modprobe dm_mod
            modprobe dm_thin_pool
            modprobe dm_snapshot
            """).EnsureSuccess("configure LVM in the guest");

    /// <summary>A volume group <paramref name="vg"/> on the guest's first disk (/dev/vda) with a thin pool of <paramref name="poolSize"/> (lvcreate -L syntax).</summary>
    public static void CreateThinPool(Vm vm, string vg, string pool, string poolSize) =>
        vm.Run($"""
            set -e
            pvcreate -q /dev/vda >&2
            vgcreate -q {vg} /dev/vda >&2
            lvcreate -q --type thin-pool -L {poolSize} -n {pool} {vg} >&2
            """).EnsureSuccess($"create volume group {vg} with thin pool {pool} in the guest");
}

namespace Cdd.Vm;

/// <summary>LVM in a guest without udev (VM-NOTES): these settings go into the guest's lvm.conf, on its overlay only.</summary>
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
}

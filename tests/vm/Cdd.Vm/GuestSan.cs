namespace Cdd.Vm;

/// <summary>
/// One guest as both SAN storage host and node: the LIO target modules, two portal addresses on lo (a path each), open-iscsi's
/// iscsid with the given initiator name, and multipathd (no udev: paths are handed to it with `multipathd add path`).
/// </summary>
public static class GuestSan
{
    public static readonly string[] Portals = ["10.0.9.1:3260", "10.0.9.2:3260"];

    // No udev here: uid_attribute "" makes multipathd read the WWID from sysfs (VPD 0x83). no_path_retry fail: a map
    // whose every path is gone fails I/O instead of queueing it (storage host and node share this kernel, so a queueing
    // map would hang the storage host's own lvs); it is in overrides too, because the built-in entry for LIO-ORG devices
    // (no_path_retry 12) wins over defaults: measured, the maps were built with queue_if_no_path.
    public const string MultipathConf = """
        defaults {
            find_multipaths no
            user_friendly_names no
            polling_interval 2
            uid_attribute ""
            no_path_retry fail
        }
        overrides {
            no_path_retry fail
        }
        blacklist {
            devnode "^vd[a-z]"
        }
        """;

    public const string LvmFilter = """devices { global_filter = [ "a|^/dev/vd|", "r|.*|" ] }""";

    /// <summary>Loads the modules, adds the portal addresses, writes the initiator name and multipath.conf, starts iscsid and multipathd.</summary>
    public static void Configure(Vm vm, string initiatorIqn) =>
        vm.Run($"""
            set -e
            for m in target_core_mod target_core_iblock iscsi_target_mod iscsi_tcp sd_mod dm_multipath dm_round_robin dm_service_time; do modprobe $m; done
            # configfs comes with target_core_mod as a module: the agent's boot-time mount found no /sys/kernel/config yet.
            grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs configfs /sys/kernel/config
            test -d /sys/kernel/config/target
            ip addr add 10.0.9.1/32 dev lo
            ip addr add 10.0.9.2/32 dev lo
            mkdir -p /etc/iscsi /run/lock/iscsi /var/lib/kubelet /var/lib/cdd-csi
            echo InitiatorName={initiatorIqn} > /etc/iscsi/initiatorname.iscsi
            cat > /etc/multipath.conf <<'CONF'
            {MultipathConf}
            CONF
            # The storage host's LVM scans only its own disk, never the node's iSCSI paths and maps in the same kernel.
            echo '{LvmFilter}' >> /etc/lvm/lvmlocal.conf
            iscsid
            setsid multipathd -d -s > /tmp/multipathd.log 2>&1 < /dev/null &
            """).EnsureSuccess("set up LIO, open-iscsi and multipathd in the guest");
}

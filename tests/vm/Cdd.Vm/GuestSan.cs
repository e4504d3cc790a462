namespace Cdd.Vm;

/// <summary>
/// One guest as both SAN storage host and node: the LIO target modules, two portal addresses on lo (a path each), open-iscsi's
/// iscsid with the given initiator name, and multipathd (no udev: paths are handed to it with `multipathd add path`).
/// </summary>
public static class GuestSan
{
    public static readonly string[] Portals = ["10.0.9.1:3260", "10.0.9.2:3260"];

    public const string MultipathConf = """
        defaults {
            find_multipaths no
            user_friendly_names no
            polling_interval 2
        }
        blacklist {
            devnode "^vd[a-z]"
        }
        """;

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
            iscsid
            setsid multipathd -d -s > /tmp/multipathd.log 2>&1 < /dev/null &
            """).EnsureSuccess("set up LIO, open-iscsi and multipathd in the guest");
}

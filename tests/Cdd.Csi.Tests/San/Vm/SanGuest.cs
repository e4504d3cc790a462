using Cdd.Testing;
using Cdd.Vm;
using Csi.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cdd.Csi.Tests.San.Vm;

/// <summary>
/// One guest that is both the storage host and the node: a real LIO target in the guest's kernel with two portals on two
/// addresses (one TPG each), LVs of VG <see cref="Vg"/> (a 2 GiB virtio disk) as backstores; open-iscsi (iscsid) and
/// dm-multipath (multipathd) as the initiator. Two native-AOT cdd-csi: the central controller (`--controller`, lio) and the
/// SAN node plugin (`--initiators true`), each on a TCP port forwarded to the host, as the sidecars and kubelet would call them.
/// </summary>
public sealed class SanGuest : IDisposable
{
    public const string Vg = "sanvg", Target = "iqn.2026-12.io.cdd:vm-storage", NodeIqn = "iqn.2026-12.io.cdd:vm-node", NodeName = "vm-node";
    public static readonly string[] Portals = ["10.0.9.1:3260", "10.0.9.2:3260"];
    public const string ConfigTarget = "/sys/kernel/config/target";

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

    public SanGuest()
    {
        string driver = RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj");
        Vm = Cdd.Vm.Vm.Boot(new VmOptions { Disks = [2L << 30], ForwardedPorts = 2, LifeTimeout = TimeSpan.FromMinutes(45) });
        try
        {
            GuestLvm.Configure(Vm);
            int controllerPort = Vm.Ports[0], nodePort = Vm.Ports[1];
            Vm.Run($"""
                set -e
                pvcreate -q /dev/vda >&2
                vgcreate -q {Vg} /dev/vda >&2
                for m in target_core_mod target_core_iblock iscsi_target_mod iscsi_tcp sd_mod dm_multipath dm_round_robin dm_service_time; do modprobe $m; done
                ip addr add 10.0.9.1/32 dev lo
                ip addr add 10.0.9.2/32 dev lo
                mkdir -p /etc/iscsi /run/lock/iscsi /var/lib/kubelet /var/lib/cdd-csi
                echo InitiatorName={NodeIqn} > /etc/iscsi/initiatorname.iscsi
                cat > /etc/multipath.conf <<'CONF'
                {MultipathConf}
                CONF
                iscsid
                setsid multipathd -d -s > /tmp/multipathd.log 2>&1 < /dev/null &
                setsid {driver} --controller --driver-name san.cdd.io --endpoint tcp://0.0.0.0:{controllerPort} --node-id vm-storage \
                  --lio-target {Target} --lio-portals {string.Join(',', Portals)} --lio-volume-group {Vg} >> /tmp/cdd-csi-controller.log 2>&1 < /dev/null &
                setsid {driver} --driver-name san.cdd.io --endpoint tcp://0.0.0.0:{nodePort} --node-id {NodeName} --initiators true \
                  --state-dir /var/lib/cdd-csi >> /tmp/cdd-csi-node.log 2>&1 < /dev/null &
                """).EnsureSuccess("set up LIO, open-iscsi, multipathd and the two cdd-csi in the guest");
            ControllerChannel = CsiChannel.Tcp(controllerPort);
            NodeChannel = CsiChannel.Tcp(nodePort);
            WaitForProbe(ControllerChannel, "controller");
            WaitForProbe(NodeChannel, "node");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Cdd.Vm.Vm Vm { get; }

    public GrpcChannel ControllerChannel { get; } = null!;

    public GrpcChannel NodeChannel { get; } = null!;

    public string Logs => Vm.Run("tail -n 60 /tmp/cdd-csi-controller.log /tmp/cdd-csi-node.log /tmp/multipathd.log").Stdout;

    void WaitForProbe(GrpcChannel channel, string what)
    {
        var identity = new Identity.IdentityClient(channel);
        try
        {
            Eventually.Until($"cdd-csi ({what}) in the guest to answer Probe", () =>
            {
                try { return identity.Probe(new ProbeRequest()).Ready == true ? "ready" : "not ready"; }
                catch (RpcException e) { return e.Status.ToString(); }
            }, s => s == "ready", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{e.Message}\nlogs:\n{Logs}", e);
        }
    }

    public void Dispose()
    {
        ControllerChannel?.Dispose();
        NodeChannel?.Dispose();
        Vm?.Dispose();
    }
}

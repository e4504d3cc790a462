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
    public static readonly string[] Portals = GuestSan.Portals;
    public const string ConfigTarget = "/sys/kernel/config/target";

    public SanGuest()
    {
        string driver = RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj");
        Vm = Cdd.Vm.Vm.Boot(new VmOptions { Disks = [2L << 30], ForwardedPorts = 2, LifeTimeout = TimeSpan.FromMinutes(45), BootTimeout = TimeSpan.FromMinutes(5) });
        try
        {
            GuestLvm.Configure(Vm);
            int controllerPort = Vm.Ports[0], nodePort = Vm.Ports[1];
            GuestSan.Configure(Vm, NodeIqn);
            Vm.Run($"""
                set -e
                pvcreate -q /dev/vda >&2
                vgcreate -q {Vg} /dev/vda >&2
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

    /// <summary>The two drivers' logs without ASP.NET's request lines, and multipathd's.</summary>
    public string Logs => Vm.Run("""
        for f in /tmp/cdd-csi-controller.log /tmp/cdd-csi-node.log; do echo "==> $f"; grep -v 'Microsoft\.' $f | tail -n 40; done
        echo '==> /tmp/multipathd.log'; tail -n 40 /tmp/multipathd.log
        """).Stdout;

    /// <summary>
    /// What a test made, removed by force so the next test starts from the state after setup even when this one failed
    /// half way (the tests check on their own that the driver left nothing): mounts under the kubelet root, multipath maps,
    /// SCSI devices (forgotten by multipathd first), iSCSI sessions and node records, LIO ACLs, LUNs and backstores, the LVs,
    /// the node's stage records; a portal a test disabled is enabled again.
    /// </summary>
    public void Reset() => Vm.Run($$"""
        T={{ConfigTarget}}
        grep ' /var/lib/kubelet/' /proc/mounts | cut -d' ' -f2 | sort -r | while read -r m; do umount -l "$m"; done
        rm -rf /var/lib/kubelet/* /var/lib/cdd-csi/*
        for e in $T/iscsi/*/tpgt_*/enable; do [ -e "$e" ] && echo 1 > "$e"; done
        multipath -F > /dev/null 2>&1
        for d in /sys/class/scsi_device/*; do
          [ -e "$d/device/delete" ] || continue
          for b in $(ls "$d/device/block" 2>/dev/null); do multipathd del path "$b" > /dev/null 2>&1; done
          echo 1 > "$d/device/delete"
        done
        iscsiadm -m node -u > /dev/null 2>&1
        iscsiadm -m node -o delete > /dev/null 2>&1
        for m in $(dmsetup ls --target multipath 2>/dev/null | cut -f1); do dmsetup remove "$m" 2>/dev/null; done
        for l in $T/iscsi/*/tpgt_*/acls/*/lun_* $T/iscsi/*/tpgt_*/lun/lun_*; do
          [ -d "$l" ] || continue
          find "$l" -maxdepth 1 -type l -exec rm {} +
          rmdir "$l"
        done
        for a in $T/iscsi/*/tpgt_*/acls/*; do [ -d "$a" ] && rmdir "$a"; done
        for b in $T/core/iblock_*/*/; do [ -d "$b" ] && rmdir "$b"; done
        lvremove -q -f {{Vg}} > /dev/null 2>&1
        true
        """).EnsureSuccess("reset the guest after a test");

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

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

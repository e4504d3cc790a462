using Cdd.Testing;
using Cdd.Vm;
using Csi.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cdd.Csi.Tests.Conformance;

/// <summary>
/// One guest for the conformance class: a 2 GiB virtio disk as VG <see cref="Vg"/> with a 512 MiB thin pool, and the
/// published native-AOT cdd-csi serving on a TCP port the host reaches over the forwarded loopback port.
/// </summary>
public sealed class CsiGuest : IDisposable
{
    public const string Vg = "cddvg", Pool = "pool", NodeId = "vm-node";

    public CsiGuest()
    {
        string driver = RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj");
        Vm = Cdd.Vm.Vm.Boot(new VmOptions { Disks = [2L << 30], ForwardedPorts = 1 });
        try
        {
            GuestLvm.Configure(Vm);
            GuestLvm.CreateThinPool(Vm, Vg, Pool, "512m");
            int port = Vm.Ports[0];
            Vm.Run("mkdir -p /var/lib/kubelet").EnsureSuccess("make the kubelet folder in the guest");
            _start = $"setsid env {Cdd.Csi.Lvm.CrashHook.Variable}=\"$CRASH_AT\" {driver} --endpoint tcp://0.0.0.0:{port} --node-id {NodeId} --volume-groups {Vg} >> /tmp/cdd-csi.log 2>&1 < /dev/null & echo $! > /tmp/cdd-csi.pid";
            Vm.Run("CRASH_AT=\n" + _start).EnsureSuccess("start cdd-csi in the guest");
            Channel = CsiChannel.Tcp(port);
            WaitForProbe();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    readonly string _start = "";

    public Cdd.Vm.Vm Vm { get; }

    /// <summary>
    /// kill -9 of the driver (no chance to clean up; a driver that already died is fine), then a fresh start on the same port,
    /// optionally armed to SIGKILL itself at <paramref name="crashAt"/> (<see cref="Cdd.Csi.Lvm.CrashHook"/>).
    /// </summary>
    public void KillAndRestartDriver(string crashAt = "")
    {
        Vm.Run("kill -9 $(cat /tmp/cdd-csi.pid) 2>/dev/null; while kill -0 $(cat /tmp/cdd-csi.pid) 2>/dev/null; do sleep 0.05; done")
            .EnsureSuccess("kill -9 cdd-csi");
        Vm.Run($"CRASH_AT={crashAt}\n{_start}").EnsureSuccess("restart cdd-csi");
        Channel.Dispose();
        Channel = CsiChannel.Tcp(Vm.Ports[0]);
        WaitForProbe();
    }

    /// <summary>Whether the driver process is still alive in the guest.</summary>
    public bool DriverRunning => Vm.Run("kill -0 $(cat /tmp/cdd-csi.pid)").ExitCode == 0;

    public GrpcChannel Channel { get; private set; } = null!;

    public string DriverLog => Vm.Run("cat /tmp/cdd-csi.log").Stdout;

    void WaitForProbe()
    {
        // The driver starts asynchronously in the guest; a refused connect returns at once, so poll it.
        var identity = new Identity.IdentityClient(Channel);
        try
        {
            Eventually.Until("cdd-csi in the guest to answer Probe", () =>
            {
                try { return identity.Probe(new ProbeRequest()).Ready == true ? "ready" : "not ready"; }
                catch (RpcException e) { return e.Status.ToString(); }
            }, s => s == "ready", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{e.Message}\ndriver log:\n{DriverLog}", e);
        }
    }

    public void Dispose()
    {
        Channel?.Dispose();
        Vm?.Dispose();
    }
}

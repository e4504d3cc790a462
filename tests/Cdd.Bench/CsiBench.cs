using System.Diagnostics;
using System.Globalization;
using Cdd.Testing;
using Cdd.Vm;
using Csi.V1;
using Grpc.Net.Client;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Bench;

/// <summary>
/// cdd-csi beside the raw lvm2/mkfs/mount tools, in one guest (Debian's kernel under TCG: device-mapper is missing on the
/// host), in the same pass, rotating which goes first run by run. The driver is the published native-AOT binary serving on
/// a forwarded loopback port; the raw steps are timed inside the guest with bash's $EPOCHREALTIME (no extra exec).
/// Flags (taken out of the arguments before the CNI options are parsed): --csi-runs N (default 10; a run is ~30 s of TCG), --csi-only, --no-csi.
/// </summary>
public static class CsiBench
{
    public sealed record Flags(bool Enabled, bool Only, int Runs);

    const string Vg = "benchvg", Pool = "pool";
    const long VolumeBytes = 64L << 20;
    const int WarmUps = 2;

    public static (Flags Flags, string[] Others) TakeFlags(string[] args)
    {
        bool enabled = true, only = false;
        int runs = 10;
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--no-csi": enabled = false; break;
                case "--csi-only": only = true; break;
                case "--csi-runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n is > 0 and <= 1000: runs = n; i++; break;
                case "--csi-runs": throw new ArgumentException("--csi-runs takes a number from 1 to 1000");
                default: rest.Add(args[i]); break;
            }
        }
        return (new Flags(enabled || only, only, runs), rest.ToArray());
    }

    sealed class Side
    {
        public Samples Create { get; } = new();
        public Samples Stage { get; } = new();
        public Samples Publish { get; } = new();
        public Samples All { get; } = new();
    }

    public static void Run(Flags flags, TextWriter w, Action<string> progress, CancellationToken stop)
    {
        string driver = RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj");
        progress("csi: booting the VM (Debian kernel, TCG)...");
        using var vm = Vm.Vm.Boot(new VmOptions { Disks = [4L << 30], ForwardedPorts = 1 });
        GuestLvm.Configure(vm);
        GuestLvm.CreateThinPool(vm, Vg, Pool, "3g");
        int port = vm.Ports[0];
        vm.Run($"""
            set -e
            mkdir -p /var/lib/kubelet
            cat > /tmp/raw.sh <<'RAW'
            {RawScript}
            RAW
            setsid {driver} --endpoint tcp://0.0.0.0:{port} --node-id bench --volume-groups {Vg} > /tmp/cdd-csi.log 2>&1 < /dev/null &
            echo $! > /tmp/cdd-csi.pid
            """).EnsureSuccess("prepare the guest");

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var controller = new Controller.ControllerClient(channel);
        var node = new Node.NodeClient(channel);
        WaitForProbe(new Identity.IdentityClient(channel), vm);

        var csi = new Side();
        var raw = new Side();
        var rpc = new Samples();
        for (int i = -WarmUps; i < flags.Runs; i++)
        {
            stop.ThrowIfCancellationRequested();
            bool record = i >= 0;
            var clock = Stopwatch.StartNew();
            node.NodeGetInfo(new NodeGetInfoRequest(), cancellationToken: stop);
            if (record) rpc.Add(clock.Elapsed.TotalMilliseconds);
            // Rotate which side goes first, so neither always meets the warmer cache or the fuller pool.
            if ((i & 1) == 0)
            {
                Csi(controller, node, vm, i, record ? csi : null);
                Raw(vm, i, record ? raw : null);
            }
            else
            {
                Raw(vm, i, record ? raw : null);
                Csi(controller, node, vm, i, record ? csi : null);
            }
            if (record && (i + 1) % 5 == 0) progress($"csi: {i + 1}/{flags.Runs}");
        }

        var status = vm.Run("grep -E '^(VmRSS|VmHWM):' /proc/$(cat /tmp/cdd-csi.pid)/status | tr -s ' ' | cut -d' ' -f2").EnsureSuccess("driver RSS").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToList(); // VmHWM then VmRSS, KiB
        vm.Run("kill $(cat /tmp/cdd-csi.pid)");

        w.WriteLine($"## cdd-csi benchmark ({flags.Runs} volumes each side, after {WarmUps} warm-ups)");
        w.WriteLine();
        w.WriteLine($"Guest: Debian kernel {vm.KernelVersion} under QEMU TCG (no KVM for a stock kernel here), 2 vCPUs, VG on a virtio disk, " +
                    $"thin LVs of {VolumeBytes >> 20} MiB, ext4. cdd-csi: the published native-AOT binary in the guest; its calls are timed on the host " +
                    "over the forwarded TCP port (so they include that transport). Raw: the same work with lvcreate, mkfs.ext4 + mount, mount --bind, " +
                    "timed inside the guest with bash's $EPOCHREALTIME. Each run does one volume with each side, alternating which goes first.");
        w.WriteLine();
        w.WriteLine($"### cdd-csi vs raw tools ({flags.Runs} runs, ms; under TCG every exec is slow, so compare columns, not absolute values)");
        w.WriteLine();
        double floor = rpc.P50;
        Markdown.Table(w, ["step", "cdd-csi p50", "cdd-csi p99", "raw p50", "raw p99", "overhead p50", "overhead p50 less RPC floor"],
        [
            Row("CreateVolume / lvcreate -V --thin", csi.Create, raw.Create, floor),
            Row("NodeStage / mkfs.ext4 + mount", csi.Stage, raw.Stage, floor),
            Row("NodePublish / mount --bind", csi.Publish, raw.Publish, floor),
            Row("all three", csi.All, raw.All, 3 * floor),
        ]);
        w.WriteLine($"RPC floor: an empty call (NodeGetInfo) host → guest driver and back: p50 {Markdown.Ms(rpc.P50)} ms, p99 {Markdown.Ms(rpc.P99)} ms. " +
                    "On a node the sidecars use a Unix socket, where this floor is a fraction of a millisecond; the last column takes it out once per call.");
        w.WriteLine();
        double total = Overhead(csi.All.P50 - 3 * floor, raw.All.P50);
        w.WriteLine($"goal: overhead of the three calls together (less the RPC floor) {total:0}% (goal < 10%: {(total < 10 ? "met" : "not met")})");
        w.WriteLine();
        w.WriteLine("### cdd-csi memory");
        w.WriteLine();
        Markdown.Table(w, ["binary", "file size", "RSS after the runs", "peak RSS (VmHWM)"],
            [["cdd-csi (native AOT)", Markdown.Size(new FileInfo(driver).Length), Markdown.KiB(status.Count > 1 ? status[1] : -1), Markdown.KiB(status.Count > 0 ? status[0] : -1)]]);
    }

    static string[] Row(string label, Samples csi, Samples raw, double floor) =>
    [
        label, Markdown.Ms(csi.P50), Markdown.Ms(csi.P99), Markdown.Ms(raw.P50), Markdown.Ms(raw.P99),
        $"{Overhead(csi.P50, raw.P50):0}%", $"{Overhead(csi.P50 - floor, raw.P50):0}%",
    ];

    static double Overhead(double ours, double theirs) => (ours - theirs) / theirs * 100;

    static void Csi(Controller.ControllerClient controller, Node.NodeClient node, Vm.Vm vm, int i, Side? into)
    {
        string name = $"bench-{i + WarmUps}";
        var cap = new VolumeCapability
        {
            Mount = new VolumeCapability.Types.MountVolume { FsType = "ext4" },
            AccessMode = new VolumeCapability.Types.AccessMode { Mode = Mode.SingleNodeWriter },
        };
        string staging = $"/var/lib/kubelet/plugins/kubernetes.io/csi/lvm.cdd.io/{name}/globalmount";
        string target = $"/var/lib/kubelet/pods/{name}/volumes/kubernetes.io~csi/{name}/mount";

        var clock = Stopwatch.StartNew();
        var volume = controller.CreateVolume(new CreateVolumeRequest
        {
            Name = name,
            CapacityRange = new CapacityRange { RequiredBytes = VolumeBytes },
            VolumeCapabilities = { cap },
            Parameters = { ["volumeGroup"] = Vg, ["thinPool"] = Pool, ["fsType"] = "ext4" },
        }).Volume;
        double create = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        node.NodeStageVolume(new NodeStageVolumeRequest
        {
            VolumeId = volume.VolumeId, StagingTargetPath = staging, VolumeCapability = cap, VolumeContext = { volume.VolumeContext },
        });
        double stage = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        node.NodePublishVolume(new NodePublishVolumeRequest
        {
            VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = target, VolumeCapability = cap,
        });
        double publish = clock.Elapsed.TotalMilliseconds;

        node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = target });
        node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        into?.Create.Add(create);
        into?.Stage.Add(stage);
        into?.Publish.Add(publish);
        into?.All.Add(create + stage + publish);
    }

    // $1: run number. Prints the four $EPOCHREALTIME stamps around the three steps, then undoes them untimed.
    const string RawScript = """
        #!/bin/bash
        set -e
        n=raw-$1; dev=/dev/benchvg/$n; dir=/var/lib/kubelet/raw/$n
        mkdir -p $dir/staging $dir/target
        t0=$EPOCHREALTIME
        lvcreate -q --yes -V 64m --thin -n $n benchvg/pool > /dev/null
        t1=$EPOCHREALTIME
        mkfs.ext4 -q $dev
        mount $dev $dir/staging
        t2=$EPOCHREALTIME
        mount --bind $dir/staging $dir/target
        t3=$EPOCHREALTIME
        echo "$t0 $t1 $t2 $t3"
        umount $dir/target
        umount $dir/staging
        lvremove -q --yes benchvg/$n > /dev/null
        rm -rf $dir
        """;

    static void Raw(Vm.Vm vm, int i, Side? into)
    {
        var stamps = vm.Run($"LVM_SUPPRESS_FD_WARNINGS=1 bash /tmp/raw.sh {i + WarmUps}").EnsureSuccess("raw lvcreate/mkfs/mount").Stdout
            .Trim().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture) * 1000).ToArray();
        into?.Create.Add(stamps[1] - stamps[0]);
        into?.Stage.Add(stamps[2] - stamps[1]);
        into?.Publish.Add(stamps[3] - stamps[2]);
        into?.All.Add(stamps[3] - stamps[0]);
    }

    static void WaitForProbe(Identity.IdentityClient identity, Vm.Vm vm)
    {
        // The driver starts asynchronously in the guest; a refused connect returns at once, so poll it.
        try
        {
            Eventually.Until("cdd-csi in the guest to answer Probe", () =>
            {
                try { return identity.Probe(new ProbeRequest()).Ready == true ? "ready" : "not ready"; }
                catch (Grpc.Core.RpcException e) { return e.Status.ToString(); }
            }, s => s == "ready", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException e)
        {
            throw new InvalidOperationException($"{e.Message}\n{vm.Run("cat /tmp/cdd-csi.log").Stdout}", e);
        }
    }
}

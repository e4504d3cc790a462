using System.Diagnostics;
using System.Globalization;
using Cdd.Vm;
using Csi.V1;
using Grpc.Net.Client;
using static Csi.V1.VolumeCapability.Types.AccessMode.Types;

namespace Cdd.Bench;

/// <summary>
/// NodeStage and NodeUnstage of an iSCSI multipath volume (lio array, two portals, dm-multipath) beside the raw steps
/// (iscsiadm discovery + login on both portals, the LUN scanned, multipathd given both paths, mount; then umount, multipath
/// -f, the SCSI devices deleted, logout) in the same guest, alternating which goes first. Both volumes are formatted in a
/// warm-up, so no run includes mkfs. The runs are those of --csi-runs, at least 3.
/// </summary>
public static class CsiSanBench
{
    const string Vg = "sanbench", Target = "iqn.2026-12.io.cdd:bench-storage", NodeIqn = "iqn.2026-12.io.cdd:bench-node";
    const int WarmUps = 1;

    public static void Run(CsiBench.Flags flags, TextWriter w, Action<string> progress, CancellationToken stop)
    {
        string driver = Cdd.Testing.RepoRoot.Published("cdd-csi", "csi/Cdd.Csi/Cdd.Csi.csproj");
        int runs = Math.Max(3, flags.Runs);
        progress("csi san: booting the VM (Debian kernel, TCG)...");
        using var vm = Vm.Vm.Boot(new VmOptions { Disks = [2L << 30], ForwardedPorts = 2, LifeTimeout = TimeSpan.FromMinutes(45), BootTimeout = TimeSpan.FromMinutes(5) });
        GuestLvm.Configure(vm);
        GuestSan.Configure(vm, NodeIqn);
        int cp = vm.Ports[0], np = vm.Ports[1];
        vm.Run($"""
            set -e
            pvcreate -q /dev/vda >&2
            vgcreate -q {Vg} /dev/vda >&2
            cat > /tmp/raw-san.sh <<'RAW'
            {RawScript}
            RAW
            setsid {driver} --controller --driver-name san.cdd.io --endpoint tcp://0.0.0.0:{cp} --node-id bench-storage --lio-target {Target} \
              --lio-portals {string.Join(',', GuestSan.Portals)} --lio-volume-group {Vg} > /tmp/controller.log 2>&1 < /dev/null &
            setsid {driver} --driver-name san.cdd.io --endpoint tcp://0.0.0.0:{np} --node-id bench-node --initiators true > /tmp/node.log 2>&1 < /dev/null &
            echo $! > /tmp/node.pid
            """).EnsureSuccess("prepare the SAN guest");
        using var cc = GrpcChannel.ForAddress($"http://127.0.0.1:{cp}");
        using var nc = GrpcChannel.ForAddress($"http://127.0.0.1:{np}");
        var controller = new Controller.ControllerClient(cc);
        var node = new Node.NodeClient(nc);
        foreach (var ch in new[] { cc, nc })
            Cdd.Testing.Eventually.True("cdd-csi to answer Probe", () =>
            {
                try { return new Identity.IdentityClient(ch).Probe(new ProbeRequest()).Ready == true; }
                catch (Grpc.Core.RpcException) { return false; }
            }, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));

        string nodeId = node.NodeGetInfo(new NodeGetInfoRequest(), cancellationToken: stop).NodeId;
        var cap = new VolumeCapability { Mount = new() { FsType = "ext4" }, AccessMode = new() { Mode = Mode.SingleNodeWriter } };
        Volume Make(string name) => controller.CreateVolume(new CreateVolumeRequest
        {
            Name = name, CapacityRange = new CapacityRange { RequiredBytes = 64L << 20 }, VolumeCapabilities = { cap },
            Parameters = { ["backend"] = "san", ["array"] = "lio", ["fsType"] = "ext4" },
        }, cancellationToken: stop).Volume;
        var csiVolume = Make("bench-csi");
        var rawVolume = Make("bench-raw");
        var csiContext = controller.ControllerPublishVolume(new() { VolumeId = csiVolume.VolumeId, NodeId = nodeId, VolumeCapability = cap }, cancellationToken: stop).PublishContext;
        var rawContext = controller.ControllerPublishVolume(new() { VolumeId = rawVolume.VolumeId, NodeId = nodeId, VolumeCapability = cap }, cancellationToken: stop).PublishContext;
        const string staging = "/var/lib/kubelet/plugins/kubernetes.io/csi/san.cdd.io/bench/globalmount";
        string rawArgs = $"{Target} {GuestSan.Portals[0]} {GuestSan.Portals[1]} {rawContext["lun"]} {rawContext["wwid"]}";

        var csiStage = new Samples();
        var csiUnstage = new Samples();
        var rawStage = new Samples();
        var rawUnstage = new Samples();
        for (int i = -WarmUps; i < runs; i++)
        {
            stop.ThrowIfCancellationRequested();
            bool record = i >= 0;
            void Csi()
            {
                var clock = Stopwatch.StartNew();
                var r = new NodeStageVolumeRequest { VolumeId = csiVolume.VolumeId, StagingTargetPath = staging, VolumeCapability = cap, VolumeContext = { csiVolume.VolumeContext } };
                r.PublishContext.Add(csiContext);
                node.NodeStageVolume(r, cancellationToken: stop);
                double stage = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = csiVolume.VolumeId, StagingTargetPath = staging }, cancellationToken: stop);
                if (!record) return;
                csiStage.Add(stage);
                csiUnstage.Add(clock.Elapsed.TotalMilliseconds);
            }
            void Raw()
            {
                var stamps = vm.Run($"bash /tmp/raw-san.sh {rawArgs}", TimeSpan.FromMinutes(5)).EnsureSuccess("raw iSCSI stage and unstage").Stdout
                    .Trim().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                if (!record) return;
                rawStage.Add((stamps[1] - stamps[0]) * 1000);
                rawUnstage.Add((stamps[2] - stamps[1]) * 1000);
            }
            if ((i & 1) == 0) { Csi(); Raw(); }
            else { Raw(); Csi(); }
            if (record) progress($"csi san: {i + 1}/{runs}");
        }
        foreach (var (v, _) in new[] { (csiVolume, 0), (rawVolume, 0) })
        {
            controller.ControllerUnpublishVolume(new() { VolumeId = v.VolumeId, NodeId = nodeId }, cancellationToken: CancellationToken.None);
            controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = v.VolumeId }, cancellationToken: CancellationToken.None);
        }

        w.WriteLine();
        w.WriteLine($"### cdd-csi SAN: stage and unstage of an iSCSI multipath volume ({runs} runs after {WarmUps} warm-up, ms)");
        w.WriteLine();
        w.WriteLine("Same guest, LIO target with two portals on the guest's loopback (two sessions, two paths, one dm-multipath map), 64 MiB " +
                    "ext4 (formatted in the warm-up). cdd-csi: NodeStage/NodeUnstage timed on the host over the forwarded port. Raw: " +
                    "iscsiadm discovery + node.session.scan=manual + login on both portals, the LUN scanned on both hosts, both paths " +
                    "given to multipathd, mount; then umount, multipath -f, each path dropped from multipathd and its SCSI device deleted, logout; timed in the guest with bash's $EPOCHREALTIME.");
        w.WriteLine();
        Markdown.Table(w, ["step", "cdd-csi p50", "cdd-csi p99", "raw p50", "raw p99"],
        [
            ["NodeStage / login ×2 + scan + multipath + mount", Markdown.Ms(csiStage.P50), Markdown.Ms(csiStage.P99), Markdown.Ms(rawStage.P50), Markdown.Ms(rawStage.P99)],
            ["NodeUnstage / umount + multipath -f + delete + logout ×2", Markdown.Ms(csiUnstage.P50), Markdown.Ms(csiUnstage.P99), Markdown.Ms(rawUnstage.P50), Markdown.Ms(rawUnstage.P99)],
        ]);
    }

    // $1 target, $2 $3 portals, $4 LUN, $5 WWID. Prints three $EPOCHREALTIME stamps: start, staged, unstaged.
    const string RawScript = """
        #!/bin/bash
        set -e
        T=$1; L=$4; W=$5; dir=/var/lib/kubelet/raw-san
        mkdir -p $dir
        t0=$EPOCHREALTIME
        for p in $2 $3; do
          iscsiadm -m discovery -t st -p $p > /dev/null
          iscsiadm -m node -T $T -p $p -o update -n node.startup -v manual
          iscsiadm -m node -T $T -p $p -o update -n node.session.scan -v manual
          iscsiadm -m node -T $T -p $p --login > /dev/null
        done
        for s in /sys/class/iscsi_session/session*; do
          h=$(basename $(dirname $(readlink -f $s/device)))
          echo "0 0 $L" > /sys/class/scsi_host/$h/scan
        done
        until [ $(ls -d /sys/class/scsi_device/*:0:0:$L/device/block/* 2>/dev/null | wc -l) -ge 2 ]; do sleep 0.02; done
        for b in /sys/class/scsi_device/*:0:0:$L/device/block/*; do multipathd add path $(basename $b) > /dev/null; done
        # The map with both paths (no udev: no /dev/mapper node, the dm-N node is the device); multipath asked again every 2 s,
        # as cdd-csi does, since multipathd without uevents may leave the second path waiting.
        map() { for d in /sys/block/dm-*; do [ "$(cat $d/dm/uuid 2>/dev/null)" = mpath-$W ] && [ $(ls $d/slaves | wc -l) -ge 2 ] && basename $d; done; true; }
        n=0
        until dm=$(map); [ -n "$dm" ]; do
          sleep 0.02; n=$((n + 1))
          [ $((n % 100)) -eq 0 ] && multipath -v1 $W > /dev/null
        done
        dev=/dev/$dm; [ -e /dev/mapper/$W ] && dev=/dev/mapper/$W
        blkid -p $dev > /dev/null || mkfs.ext4 -q $dev
        mount $dev $dir
        t1=$EPOCHREALTIME
        umount $dir
        multipath -f $W
        # multipathd hears no uevent here: it forgets each path before the device goes (as udev's remove rule would have it do).
        for d in /sys/class/scsi_device/*:0:0:$L/device; do
          for b in $d/block/*; do multipathd del path $(basename $b) > /dev/null || true; done
          echo 1 > $d/delete
        done
        for p in $2 $3; do iscsiadm -m node -T $T -p $p --logout > /dev/null; done
        t2=$EPOCHREALTIME
        echo "$t0 $t1 $t2"
        """;
}

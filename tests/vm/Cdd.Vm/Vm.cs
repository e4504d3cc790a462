using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cdd.Testing;

namespace Cdd.Vm;

/// <summary>
/// One running guest: Debian's stock kernel under QEMU TCG (KVM cannot boot it on these hosts), the host's /
/// shared read-only with a tmpfs overlay, a read-write exchange share, console to a file. <see cref="Run"/>
/// runs shell scripts in the guest through the share; <see cref="Ports"/> reach guest servers over loopback.
/// Dispose powers the guest off, kills QEMU if it does not stop, and removes the work folder.
/// </summary>
public sealed class Vm : IDisposable
{
    const string Qemu = "qemu-system-x86_64";
    readonly TempDir _dir;
    readonly RunningProcess _qemu;
    int _next;

    Vm(TempDir dir, RunningProcess qemu, IReadOnlyList<int> ports, string kernelVersion)
    {
        _dir = dir;
        _qemu = qemu;
        Ports = ports;
        KernelVersion = kernelVersion;
    }

    /// <summary>Forwarded ports: host 127.0.0.1:P reaches guest P.</summary>
    public IReadOnlyList<int> Ports { get; }

    public string KernelVersion { get; }

    /// <summary>Wall time from starting QEMU to the agent's ready mark.</summary>
    public TimeSpan BootTime { get; private set; }

    /// <summary>Guest seconds since its kernel started, when the agent became ready.</summary>
    public double GuestUptimeAtReady { get; private set; }

    public string ConsoleLog => Path.Combine(_dir.Path, "console.log");

    /// <summary>The exchange folder: guest path <see cref="GuestScripts.Share"/>.</summary>
    public string SharePath => Path.Combine(_dir.Path, "share");

    public static Vm Boot(VmOptions? options = null)
    {
        options ??= new VmOptions();
        Require();
        var kernel = GuestKernel.Find();
        var dir = new TempDir("cdd-vm");
        RunningProcess? qemu = null;
        try
        {
            string share = dir.Sub("share");
            File.WriteAllText(Path.Combine(share, "agent.sh"), GuestScripts.Agent.Replace("\r", ""));
            string initrd = Path.Combine(dir.Path, "initrd.gz");
            Initramfs.Build(kernel, initrd);

            var ports = Enumerable.Range(0, options.ForwardedPorts).Select(_ => FreePort()).ToList();
            var args = new List<string>
            {
                "--kill-after=5", ((int)options.LifeTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), Qemu,
                "-machine", "q35,accel=tcg", "-cpu", "max", "-smp", "2", "-m", "2048",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-monitor", "none",
                "-serial", "file:" + Path.Combine(dir.Path, "console.log"),
                "-kernel", kernel.Image, "-initrd", initrd,
                "-append", "console=ttyS0 panic=-1 loglevel=4 rdinit=/init",
                "-fsdev", "local,id=hr,path=/,security_model=none,readonly=on,multidevs=remap",
                "-device", "virtio-9p-pci,fsdev=hr,mount_tag=hostroot",
                "-fsdev", $"local,id=sh,path={share},security_model=none",
                "-device", "virtio-9p-pci,fsdev=sh,mount_tag=vmshare",
            };
            string nic = "user,model=virtio-net-pci,restrict=on";
            foreach (int p in ports) nic += $",hostfwd=tcp:127.0.0.1:{p}-:{p}";
            args.AddRange(["-nic", nic]);
            for (int i = 0; i < options.Disks.Count; i++)
            {
                string disk = Path.Combine(dir.Path, $"disk{i}.img");
                using (var f = File.Create(disk)) f.SetLength(options.Disks[i]);
                args.AddRange(["-drive", $"file={disk},if=virtio,format=raw,cache=unsafe"]);
            }

            var clock = Stopwatch.StartNew();
            qemu = RunningProcess.Start("timeout", args);
            var vm = new Vm(dir, qemu, ports, kernel.Version);

            string ready = Path.Combine(share, "ready");
            var started = qemu;
            try
            {
                Eventually.True("the guest's ready mark", () =>
                {
                    if (File.Exists(ready)) return true;
                    if (started.WaitForExit(TimeSpan.FromMilliseconds(100)))
                        throw new InvalidOperationException(
                            $"QEMU exited {started.ExitCode} before the guest was ready: {started.Stderr}\nconsole:\n{Tail(vm.ConsoleLog)}");
                    return false;
                }, options.BootTimeout, TimeSpan.Zero);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\nconsole:\n{Tail(vm.ConsoleLog)}", e);
            }
            vm.BootTime = clock.Elapsed;
            var lines = File.ReadAllLines(ready);
            vm.GuestUptimeAtReady = double.Parse(lines[1], CultureInfo.InvariantCulture);
            return vm;
        }
        catch
        {
            if (qemu is not null) Stop(qemu);
            dir.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="script"/> with /bin/sh in the guest, as root, and returns its exit code and output.</summary>
    public GuestResult Run(string script, TimeSpan? timeout = null)
    {
        string share = SharePath;
        string n = Interlocked.Increment(ref _next).ToString("D4", CultureInfo.InvariantCulture);
        string tmp = Path.Combine(share, "req", n + ".tmp");
        File.WriteAllText(tmp, script.Replace("\r", ""));
        File.Move(tmp, Path.Combine(share, "req", n + ".sh"));
        string rc = Path.Combine(share, "res", n + ".rc");
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        Eventually.True($"the guest to finish the script:\n{script}", () =>
        {
            if (File.Exists(rc)) return true;
            if (_qemu.WaitForExit(TimeSpan.FromMilliseconds(50)))
                throw new InvalidOperationException($"the guest stopped while running a script\nconsole:\n{Tail(ConsoleLog)}");
            return false;
        }, limit, TimeSpan.Zero);
        return new GuestResult(
            int.Parse(File.ReadAllText(rc).Trim(), CultureInfo.InvariantCulture),
            File.ReadAllText(Path.Combine(share, "res", n + ".out")),
            File.ReadAllText(Path.Combine(share, "res", n + ".err")));
    }

    public void Dispose()
    {
        try
        {
            File.WriteAllText(Path.Combine(SharePath, "shutdown"), "");
            if (!_qemu.WaitForExit(TimeSpan.FromSeconds(30))) Stop(_qemu);
        }
        finally
        {
            if (!_qemu.HasExited) Stop(_qemu);
            _qemu.Dispose();
            _dir.Dispose();
        }
    }

    /// <summary>Fails (never skips) with what is missing: root, QEMU.</summary>
    public static void Require()
    {
        Root.Require("a VM (QEMU with host / shared over 9p)");
        if (!OnPath(Qemu))
            throw new InvalidOperationException(
                $"The VM tier needs {Qemu}: `apt-get install --no-install-recommends qemu-system-x86` (./build.sh does).");
    }

    static bool OnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Any(d => File.Exists(Path.Combine(d, exe)));

    static void Stop(RunningProcess p) => p.Kill();

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static string Tail(string file) =>
        File.Exists(file) ? string.Join('\n', File.ReadLines(file).TakeLast(40)) : "(no console output)";
}

namespace Cdd.Testing;

/// <summary>
/// Debian's podman 4.3 with its CNI backend as a real runtime peer, kept off the machine's own
/// configuration and network: every call runs under `nsenter --net=NODE` (not `ip netns exec`,
/// which remounts /sys), with a private containers.conf and storage.conf, private --root,
/// --runroot and tmp_dir, file locks instead of the host-wide shm lock segment, and a busybox
/// rootfs so no image is pulled. CNI plugins run in the node namespace, the containers in the
/// namespaces podman creates for them.
/// </summary>
public sealed class PodmanHost : IDisposable
{
    readonly TempDir _dir = new("cdd-podman");
    readonly string _nodeNetns;
    readonly Dictionary<string, string> _env;
    readonly List<(PodmanContainer Container, string? StartTime)> _started = [];

    /// <param name="nodeNetns">Path of the namespace that plays the node (podman and the plugins run there).</param>
    /// <param name="pluginDirs">cni_plugin_dirs, searched in order (CNI_PATH).</param>
    /// <param name="pluginEnv">Extra environment podman passes on to the plugins it execs.</param>
    public PodmanHost(string nodeNetns, IEnumerable<string> pluginDirs, IDictionary<string, string>? pluginEnv = null)
    {
        Root.Require("network namespaces and containers");
        _nodeNetns = nodeNetns;
        NetworkDir = _dir.Sub("net");
        Rootfs = BusyboxRootfs.Build(_dir.Sub("rootfs"), "sh", "ip", "ping", "sleep", "cat");

        string containersConf = System.IO.Path.Combine(_dir.Path, "containers.conf");
        File.WriteAllText(containersConf, $"""
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

            [network]
            network_backend = "cni"
            network_config_dir = "{NetworkDir}"
            cni_plugin_dirs = [{string.Join(", ", pluginDirs.Select(d => $"\"{d}\""))}]

            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            lock_type = "file"
            tmp_dir = "{_dir.Sub("tmp")}"
            """);
        string storageConf = System.IO.Path.Combine(_dir.Path, "storage.conf");
        File.WriteAllText(storageConf, $"""
            [storage]
            driver = "vfs"
            graphroot = "{_dir.Sub("root")}"
            runroot = "{_dir.Sub("runroot")}"
            """);

        _env = new Dictionary<string, string>(pluginEnv ?? new Dictionary<string, string>())
        {
            ["CONTAINERS_CONF"] = containersConf,
            ["CONTAINERS_STORAGE_CONF"] = storageConf,
        };
    }

    /// <summary>podman's network_config_dir: one NAME.conflist per network.</summary>
    public string NetworkDir { get; }

    public string Rootfs { get; }

    /// <summary>A private folder for the test's own files (host-local dataDir, plugin state).</summary>
    public string Sub(string name) => _dir.Sub(name);

    public void AddNetwork(string name, string conflistJson) =>
        File.WriteAllText(System.IO.Path.Combine(NetworkDir, name + ".conflist"), conflistJson);

    /// <summary>Any podman command; global flags repeat what the config files say so nothing falls back to /etc or /var.</summary>
    public ExecResult Podman(params string[] args) =>
        global::Cdd.Testing.Exec.Run("nsenter", [$"--net={_nodeNetns}", "podman",
            "--root", System.IO.Path.Combine(_dir.Path, "root"),
            "--runroot", System.IO.Path.Combine(_dir.Path, "runroot"),
            "--storage-driver", "vfs",
            .. args], _env, timeoutMs: 60_000);

    /// <summary>`podman run -d` on the busybox rootfs, attached to <paramref name="network"/>.</summary>
    public PodmanContainer Run(string name, string network, params string[] command)
    {
        Podman(["run", "-d", "--name", name, "--network", network, "--rootfs", Rootfs, .. command])
            .EnsureSuccess($"podman run {name} on {network}");
        var fields = Podman("inspect", "--format", "{{.Id}} {{.State.Pid}} {{.NetworkSettings.SandboxKey}}", name)
            .EnsureSuccess($"podman inspect {name}").Stdout.Trim().Split(' ');
        var c = new PodmanContainer(name, fields[0], int.Parse(fields[1]), fields.Length > 2 ? fields[2] : "");
        _started.Add((c, StartTime(c.Pid)));
        return c;
    }

    public ExecResult Exec(PodmanContainer c, params string[] command) => Podman(["exec", c.Name, .. command]);

    /// <summary>`podman rm -f -t 0`: stops the containers, which runs CNI DEL, and removes them.</summary>
    public void Remove(params PodmanContainer[] containers) =>
        Podman(["rm", "-f", "-t", "0", .. containers.Select(c => c.Name)]).EnsureSuccess("podman rm -f");

    /// <summary>
    /// Removes whatever is left even after a failed test: containers through podman, then, if
    /// podman could not, their init processes (each is PID 1 of its own PID namespace, so
    /// SIGKILL takes the whole container) and the network namespaces podman made.
    /// </summary>
    public void Dispose()
    {
        try
        {
            Podman("rm", "-a", "-f", "-t", "0");
            foreach (var (c, started) in _started)
            {
                if (c.Pid > 0 && started is not null && StartTime(c.Pid) == started) _ = Tmds.Linux.LibC.kill(c.Pid, Tmds.Linux.LibC.SIGKILL);
                string netnsName = System.IO.Path.GetFileName(c.SandboxKey);
                if (c.SandboxKey.StartsWith("/run/netns/", StringComparison.Ordinal) && File.Exists(c.SandboxKey))
                    global::Cdd.Testing.Exec.Run("ip", "netns", "del", netnsName);
            }
        }
        finally
        {
            _dir.Dispose();
        }
    }

    // A PID is only the same process while its start time (field 22 of /proc/PID/stat) matches: PIDs get reused.
    static string? StartTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (IOException)
        {
            return null;
        }
    }
}

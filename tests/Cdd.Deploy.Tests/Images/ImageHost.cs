using Cdd.Testing;

namespace Cdd.Deploy.Tests.Images;

/// <summary>
/// podman on a store of its own under /var/lib/cdd/images (kept between runs, so the debootstrapped base and the
/// layers above it are made once per machine), with a private containers.conf: runc, cgroupfs, file events, limits a
/// nested container may set. The images are built by deploy/images/build.sh --local-base, as `./build.sh images` does.
/// </summary>
public sealed class ImageHost : IDisposable
{
    public static readonly string Cache = Environment.GetEnvironmentVariable("CDD_IMAGE_CACHE") ?? "/var/lib/cdd/images";
    readonly TempDir _dir = new("cdd-image-host");
    readonly Dictionary<string, string> _env;
    readonly string[] _global;

    public ImageHost()
    {
        Root.Require("podman builds and runs the images");
        string conf = Path.Combine(_dir.Path, "containers.conf");
        File.WriteAllText(conf, $"""
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            lock_type = "file"
            tmp_dir = "{_dir.Sub("tmp")}"
            """);
        _global = ["--root", Path.Combine(Cache, "podman", "root"), "--runroot", Path.Combine(Cache, "podman", "runroot"), "--storage-driver", "vfs"];
        _env = new Dictionary<string, string>
        {
            ["CONTAINERS_CONF"] = conf,
            ["PODMAN_OPTS"] = string.Join(' ', _global),
            ["CDD_IMAGE_CACHE"] = Cache,
            ["TMPDIR"] = _dir.Sub("build-tmp"),
        };
        var versions = Manifests.ImageVersions.Load();
        NodeImage = versions.NodeImage;
        OperatorImage = versions.OperatorImage;
        var r = Exec.Run(Path.Combine(RepoRoot.Path, "deploy", "images", "build.sh"), ["--local-base"], _env, timeoutMs: 30 * 60_000);
        r.EnsureSuccess("deploy/images/build.sh --local-base");
        BuildOutput = r.Stdout.Trim();
    }

    public string NodeImage { get; }
    public string OperatorImage { get; }
    public string BuildOutput { get; }

    public ExecResult Podman(params string[] args) => Exec.Run("podman", [.. _global, .. args], _env, timeoutMs: 120_000);

    /// <summary>podman run as the manifests run the containers: read-only root, no capabilities, no privilege escalation, no network, only the mounts given.</summary>
    public ExecResult Run(string image, IEnumerable<(string Host, string Container, bool ReadOnly)> mounts, params string[] command) =>
        Podman(["run", "--rm", "--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges", "--network=none",
            .. mounts.SelectMany(m => new[] { "-v", $"{m.Host}:{m.Container}{(m.ReadOnly ? ":ro" : "")}" }), image, .. command]);

    public void Dispose() => _dir.Dispose();
}

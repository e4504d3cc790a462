using System.Text.Json.Nodes;
using Cdd.Deploy.Tests.Manifests;
using Cdd.Testing;

namespace Cdd.Deploy.Tests.Images;

/// <summary>
/// Root: the images built for real (Containerfiles in deploy/images on a debootstrapped Debian 12, cached), then the
/// node image run with podman against a temporary host tree exactly as the DaemonSet's init container runs it
/// (`cdd-cni install` into mounted bin and conf dirs, read-only root): the files land atomically (a reader never sees
/// half a binary), a second run rewrites nothing, a missing mount is a clear error, and the installed cdd-cni then
/// gives a podman container its network with the samples' cniVersion.
/// </summary>
[Tier(Tier.Root)]
public sealed class NodeImageTests : IClassFixture<ImageHost>
{
    readonly ImageHost _host;

    public NodeImageTests(ImageHost host) => _host = host;

    static readonly string InitBin = "/host/opt/cni/bin";

    [Fact]
    public void The_node_image_holds_the_binaries_and_the_storage_tools()
    {
        var r = _host.Run(_host.NodeImage, [], "/bin/sh", "-c",
            "for t in cdd-cni cdd-ipam cdd-ipamd cdd-csi lvm thin_check mkfs.ext4 mkfs.xfs blkid iscsiadm multipath mount; do command -v $t >/dev/null || echo missing $t; done; /usr/local/bin/cdd-cni version");
        r.EnsureSuccess("the node image's tools");
        Assert.DoesNotContain("missing", r.Stdout);
        Assert.Contains("cdd-cni", r.Stdout);
        var op = _host.Run(_host.OperatorImage, [], "--help");
        op.EnsureSuccess("cdd-operator --help in its image (non-root, read-only root, bundle unpacked into /tmp)");
        Assert.Contains("extender", op.Stdout);
        Assert.Contains("65532", _host.Podman("image", "inspect", "--format", "{{.Config.User}}", _host.OperatorImage).EnsureSuccess("inspect").Stdout);
    }

    [Fact]
    public void Install_from_the_image_is_atomic_and_a_second_run_rewrites_nothing()
    {
        using var tree = new TempDir("cdd-host-tree");
        string bin = tree.Sub("opt/cni/bin"), netd = tree.Sub("etc/cni/net.d"), config = tree.Sub("config");
        File.WriteAllText(Path.Combine(config, "10-cdd.conflist"), Conflist("m0", "/var/lib/cni/networks"));
        // The node had an older plugin: a reader polling it must see the old file or the new one, whole.
        byte[] old = File.ReadAllBytes("/bin/busybox"), fresh = File.ReadAllBytes(RepoRoot.CddCni);
        File.WriteAllBytes(Path.Combine(bin, "cdd-cni"), old);
        int partial = 0, sawNew = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                byte[] now = File.ReadAllBytes(Path.Combine(bin, "cdd-cni"));
                if (now.AsSpan().SequenceEqual(fresh)) sawNew++;
                else if (!now.AsSpan().SequenceEqual(old)) partial++;
            }
        });
        (string, string, bool)[] mounts = [(bin, InitBin, false), (netd, "/host/etc/cni/net.d", false), (config, "/config", true)];
        string[] install = ["/usr/local/bin/cdd-cni", "install", "--bin-dir", InitBin, "--conf-dir", "/host/etc/cni/net.d", "--conflist", "/config/10-cdd.conflist"];
        var first = _host.Run(_host.NodeImage, mounts, install);
        Eventually.True("the reader to see the new binary", () => sawNew > 0, TimeSpan.FromSeconds(30));
        stop.Cancel();
        reader.Wait();
        first.EnsureSuccess("cdd-cni install in the node image");
        Assert.Equal(0, partial);
        Assert.Equal(fresh, File.ReadAllBytes(Path.Combine(bin, "cdd-cni")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoRoot.Out, "cdd-ipam")), File.ReadAllBytes(Path.Combine(bin, "cdd-ipam")));
        Assert.Equal(File.ReadAllText(Path.Combine(config, "10-cdd.conflist")), File.ReadAllText(Path.Combine(netd, "10-cdd.conflist")));
        Assert.True(File.GetUnixFileMode(Path.Combine(bin, "cdd-cni")).HasFlag(UnixFileMode.OtherExecute));
        Assert.Empty(Directory.GetFiles(bin, "*.cdd-install-*"));

        var stamps = new[] { "cdd-cni", "cdd-ipam" }.Select(f => Path.Combine(bin, f)).Append(Path.Combine(netd, "10-cdd.conflist"))
            .ToDictionary(f => f, f => (Inode(f), File.GetLastWriteTimeUtc(f)));
        var second = _host.Run(_host.NodeImage, mounts, install).EnsureSuccess("cdd-cni install again (init container restarted)");
        foreach (var (file, stamp) in stamps)
        {
            Assert.Equal(stamp, (Inode(file), File.GetLastWriteTimeUtc(file)));
            Assert.Contains($"unchanged {file.Replace(bin, InitBin, StringComparison.Ordinal).Replace(netd, "/host/etc/cni/net.d", StringComparison.Ordinal)}", second.Stdout);
        }
    }

    [Fact]
    public void A_host_path_that_is_not_mounted_is_a_clear_error_and_installs_nothing()
    {
        var r = _host.Run(_host.NodeImage, [], "/usr/local/bin/cdd-cni", "install", "--bin-dir", InitBin);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--bin-dir {InitBin} does not exist: is the host's directory mounted there? nothing installed", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
    }

    [Fact]
    public void The_installed_plugin_gives_a_podman_container_its_network()
    {
        using var tree = new TempDir("cdd-host-tree");
        string bin = tree.Sub("opt/cni/bin");
        _host.Run(_host.NodeImage, [(bin, InitBin, false)], "/usr/local/bin/cdd-cni", "install", "--bin-dir", InitBin).EnsureSuccess("install");

        using var node = new TestNetns("cddimg");
        node.Ip_("link", "add", "m0", "type", "veth", "peer", "name", "m0p");
        node.Ip_("link", "set", "m0", "up");
        node.Ip_("link", "set", "m0p", "up");
        using var podman = new PodmanHost(node.Path, [bin, "/usr/lib/cni"], new Dictionary<string, string> { ["CDD_STATE_DIR"] = tree.Sub("state") });
        podman.AddNetwork("mysql-macvlan", Conflist("m0", tree.Sub("ipam")));
        var pod = podman.Run("member", "mysql-macvlan", "sleep", "600");
        string addr = podman.Exec(pod, "ip", "-4", "addr", "show", "dev", "eth0").EnsureSuccess("ip addr in the container").Stdout;
        Assert.Contains("inet 10.10.0.", addr);
        podman.Remove(pod);
    }

    /// <summary>samples/nads.yaml's macvlan network as a conflist: its cniVersion and mode, on master <paramref name="master"/>, host-local instead of the agent.</summary>
    static string Conflist(string master, string ipamDir)
    {
        var nad = ManifestTree.Load(Path.Combine(ManifestTree.Root, "samples")).Single("NetworkAttachmentDefinition", "mysql-macvlan").As<NetworkAttachmentDefinition>();
        var plugin = JsonNode.Parse(nad.Spec.Config)!.AsObject();
        string version = plugin["cniVersion"]!.GetValue<string>(), name = plugin["name"]!.GetValue<string>();
        plugin.Remove("cniVersion");
        plugin.Remove("name");
        plugin["master"] = master;
        plugin["ipam"] = JsonNode.Parse($$"""{"type":"host-local","dataDir":"{{ipamDir}}","ranges":[[{"subnet":"10.10.0.0/24","gateway":"10.10.0.1"}]]}""");
        return new JsonObject { ["cniVersion"] = version, ["name"] = name, ["plugins"] = new JsonArray(plugin) }.ToJsonString();
    }

    static long Inode(string path) => long.Parse(Exec.Run("stat", "-c", "%i", path).EnsureSuccess("stat").Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
}

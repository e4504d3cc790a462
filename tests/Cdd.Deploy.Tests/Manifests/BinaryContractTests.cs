using Cdd.Testing;
using k8s.Models;

namespace Cdd.Deploy.Tests.Manifests;

/// <summary>
/// The manifests and the binaries agree: every flag a container passes is one its binary declares, the probes hit
/// the port the binary is told to serve on and paths that answer there (the binary is started and asked), and the
/// agent's socket is the one cdd-cni and cdd-ipam dial by default, inside the host path the pod mounts.
/// </summary>
[Tier(Tier.Unit)]
public sealed class BinaryContractTests
{
    static readonly ManifestTree Tree = ManifestTree.Load();
    static readonly ImageVersions Versions = ImageVersions.Load();

    static Workload W(string name) => Workload.In(Tree).Single(w => w.Source.Name == name);

    [Fact]
    public void Every_flag_a_container_passes_is_one_its_binary_declares()
    {
        var ipamd = BinaryFacts.Options(BinaryFacts.Ipamd);
        var run = BinaryFacts.Options(BinaryFacts.Operator, "run");
        var extender = BinaryFacts.Options(BinaryFacts.Operator, "extender");
        var install = BinaryFacts.Options(BinaryFacts.Cni, "install");
        var csi = BinaryFacts.CsiFlags();
        int checkedContainers = 0;
        foreach (var w in Workload.In(Tree))
            foreach (var c in w.AllContainers.Where(c => c.Image == Versions.NodeImage || c.Image == Versions.OperatorImage))
            {
                var argv = (c.Command ?? []).Concat(c.Args ?? []).ToList();
                (IReadOnlySet<string> declared, IEnumerable<string> flags) = argv switch
                {
                    ["/usr/local/bin/cdd-ipamd", ..] => (ipamd, argv.Skip(1)),
                    ["/usr/local/bin/cdd-cni", "install", ..] => (install, argv.Skip(2)),
                    ["/usr/local/bin/cdd-csi", ..] => (csi, argv.Skip(1)),
                    ["run", ..] => (run, argv.Skip(1)),
                    ["extender", ..] => (extender, argv.Skip(1)),
                    _ => throw new InvalidOperationException($"{w.Id}:{c.Name}: which binary does {string.Join(' ', argv)} run?"),
                };
                foreach (var f in BinaryFacts.FlagNames(flags))
                    Assert.True(declared.Contains(f), $"{w.Id}:{c.Name} passes {f}, which the binary does not declare ({string.Join(", ", declared.Order())})");
                checkedContainers++;
            }
        Assert.Equal(7, checkedContainers); // install-cni, cdd-ipamd, three cdd-csi, the operator, the extender
    }

    [Fact]
    public void The_agents_socket_is_the_plugins_default_and_inside_its_host_path()
    {
        var c = W("cdd-ipamd").Container("cdd-ipamd");
        string socket = BinaryFacts.FlagValue(c.Args, "--socket")!;
        Assert.Equal(Cdd.Ipam.Agent.Protocol.Wire.AgentProtocol.DefaultSocket, socket);
        var mount = c.VolumeMounts.Single(m => socket.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        Assert.Equal(Path.GetDirectoryName(socket), W("cdd-ipamd").Volume(mount.Name).HostPath.Path); // same path on the host, where cdd-cni runs
    }

    [Fact]
    public void The_agents_probes_hit_the_port_it_serves_and_answer_there()
    {
        var c = W("cdd-ipamd").Container("cdd-ipamd");
        int port = int.Parse(BinaryFacts.FlagValue(c.Args, "--http")!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(port, c.LivenessProbe.HttpGet.Port.Value is string s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), c.ReadinessProbe.HttpGet.Port.Value);
        Assert.Contains(c.Ports, p => p.ContainerPort == port);

        // The same binary, told to serve on a free loopback port (the file store stands in for the API server).
        using var dir = new TempDir("cdd-deploy-probe");
        int free = BinaryFacts.FreePort();
        string socket = Path.Combine(dir.Sub("run"), "ipamd.sock");
        using var agent = RunningProcess.Start(BinaryFacts.Ipamd, ["--pools-file", BinaryFacts.SamplePoolsFile(dir.Path), "--data-dir", dir.Sub("data"),
            "--node-name", "node-a", "--socket", socket, "--http", $"127.0.0.1:{free}"]);
        AssertAnswers(agent, free, c.LivenessProbe.HttpGet.Path, c.ReadinessProbe.HttpGet.Path);
    }

    [Fact]
    public void The_extenders_probes_hit_its_listen_port_and_answer_there()
    {
        var w = W("cdd-operator-extender");
        var c = w.Container("extender");
        int port = int.Parse(BinaryFacts.FlagValue(c.Args, "--listen")!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
        foreach (var probe in new[] { c.LivenessProbe, c.ReadinessProbe })
            Assert.Equal(port, c.Ports.Single(p => p.Name == (string)probe.HttpGet.Port.Value).ContainerPort);
        var service = Tree.Single("Service", "cdd-operator-extender").As<V1Service>();
        Assert.Equal("http", service.Spec.Ports.Single().TargetPort.Value);

        string samples = Path.Combine(RepoRoot.Path, "deploy", "operator", "samples");
        int free = BinaryFacts.FreePort();
        using var dir = new TempDir("cdd-deploy-ext");
        using var ext = RunningProcess.Start(BinaryFacts.Operator, ["extender", "--inventory", Path.Combine(samples, "nodes.yaml"),
            "--clusters", Path.Combine(samples, "clusters.yaml"), "--listen", $"127.0.0.1:{free}"],
            new Dictionary<string, string> { ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = dir.Path });
        AssertAnswers(ext, free, c.LivenessProbe.HttpGet.Path, c.ReadinessProbe.HttpGet.Path);
    }

    [Fact]
    public void The_operator_has_no_probe_because_run_serves_no_http()
    {
        // `cdd-operator run` declares no listen option: a probe would point at nothing. Its liveness is the Lease.
        Assert.DoesNotContain(BinaryFacts.Options(BinaryFacts.Operator, "run"), o => o.Contains("listen", StringComparison.Ordinal) || o.Contains("http", StringComparison.Ordinal));
        var c = W("cdd-operator").Container("cdd-operator");
        Assert.Null(c.LivenessProbe);
        Assert.Null(c.ReadinessProbe);
    }

    static void AssertAnswers(RunningProcess p, int port, params string[] paths)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var path in paths)
            Eventually.True($"GET {path} on 127.0.0.1:{port} to answer 200", () =>
            {
                if (p.HasExited) throw new InvalidOperationException($"the binary exited {p.ExitCode}: {p.Output}");
                try
                {
                    using var r = http.GetAsync($"http://127.0.0.1:{port}{path}").GetAwaiter().GetResult();
                    return r.StatusCode == System.Net.HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60));
    }
}

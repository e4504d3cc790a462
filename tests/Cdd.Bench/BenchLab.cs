using Cdd.Testing;

namespace Cdd.Bench;

/// <summary>
/// Everything the bench creates, and only that: a node namespace holding the macvlan master
/// (veth m0) and an underlay with an address (veth ul0), two sets of pod namespaces made up
/// front (one per plugin of a compared pair, so each pod holds one attachment, as a
/// single-network pod does), and a temporary folder for host-local's store and cdd-cni's state. Dispose deletes it all;
/// the links go with their namespaces.
/// </summary>
public sealed class BenchLab : IDisposable
{
    public const string Master = "m0";
    public const string Underlay = "ul0";
    public const string UnderlayAddress = "192.168.77.1";

    readonly string _prefix = $"cddb-{Guid.NewGuid().ToString("N")[..6]}";
    readonly List<string> _created = [];
    readonly TempDir _dir = new("cdd-bench");
    int _disposed;

    BenchLab(int pods)
    {
        Node = _prefix + "-node";
        PodsA = Enumerable.Range(0, pods).Select(i => $"{_prefix}-a{i}").ToList();
        PodsB = Enumerable.Range(0, pods).Select(i => $"{_prefix}-b{i}").ToList();
    }

    public string Node { get; }
    public string NodePath => NetnsPath(Node);
    public IReadOnlyList<string> PodsA { get; }
    public IReadOnlyList<string> PodsB { get; }
    public string Dir => _dir.Path;

    public static string NetnsPath(string name) => $"/var/run/netns/{name}";

    public static BenchLab Create(int pods)
    {
        var lab = new BenchLab(pods);
        try
        {
            lab.Build();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    void Build()
    {
        // One `ip -batch` per namespace set keeps 200+ namespaces to a second or two.
        var names = PodsA.Concat(PodsB).Prepend(Node).ToList();
        _created.AddRange(names); // recorded first, so a half-done batch is still cleaned up
        Batch(null, names.Select(n => $"netns add {n}"));
        Batch(Node,
        [
            "link set lo up",
            $"link add {Master} type veth peer name {Master}p",
            $"link set {Master} up",
            $"link set {Master}p up",
            $"link add {Underlay} type veth peer name {Underlay}p",
            $"addr add {UnderlayAddress}/24 dev {Underlay}",
            $"link set {Underlay} up",
            $"link set {Underlay}p up",
        ]);
        foreach (var pod in names)
            if (!File.Exists(NetnsPath(pod))) throw new InvalidOperationException($"namespace {pod} was not created");
    }

    /// <summary>
    /// A fake SR-IOV card for the sriov pass: a sysfs tree under the bench folder (PF sriovpf0 at 0000:5e:00.0, one VF
    /// per pod, each bound to iavf) whose VF netdevs are real veth ends in the node (peers up). Returns the sysfs root.
    /// </summary>
    public string FakeSriov(int vfs)
    {
        string root = Directory.CreateDirectory(Path.Combine(Dir, "sysroot")).FullName;
        const string pf = "0000:5e:00.0";
        string Sys(string rel) => Path.Combine(root, rel);
        Directory.CreateDirectory(Sys("sys/bus/pci/drivers/iavf"));
        Directory.CreateDirectory(Sys($"sys/bus/pci/devices/{pf}/net/sriovpf0"));
        File.WriteAllText(Sys($"sys/bus/pci/devices/{pf}/sriov_totalvfs"), $"{vfs}\n");
        Directory.CreateDirectory(Sys("sys/class/net/sriovpf0"));
        File.CreateSymbolicLink(Sys("sys/class/net/sriovpf0/device"), $"../../../bus/pci/devices/{pf}");
        var lines = new List<string> { "link add sriovpf0 type veth peer name sriovpf0p" };
        for (int i = 0; i < vfs; i++)
        {
            string vf = $"0000:5f:{i / 8:x2}.{i % 8}";
            Directory.CreateDirectory(Sys($"sys/bus/pci/devices/{vf}/net/srvf{i}"));
            File.CreateSymbolicLink(Sys($"sys/bus/pci/devices/{vf}/physfn"), $"../{pf}");
            File.CreateSymbolicLink(Sys($"sys/bus/pci/devices/{vf}/driver"), "../../../../bus/pci/drivers/iavf");
            File.CreateSymbolicLink(Sys($"sys/bus/pci/devices/{pf}/virtfn{i}"), $"../{vf}");
            lines.Add($"link add srvf{i} type veth peer name srvf{i}p");
            lines.Add($"link set srvf{i}p up");
        }
        Batch(Node, lines);
        return root;
    }

    static void Batch(string? netns, IEnumerable<string> lines)
    {
        string[] ns = netns is null ? [] : ["-n", netns];
        Exec.Run("ip", [.. ns, "-batch", "-"], stdin: string.Join('\n', lines) + "\n")
            .EnsureSuccess($"ip {string.Join(' ', ns)} -batch");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            var left = _created.Where(n => File.Exists(NetnsPath(n))).ToList();
            // -force: keep deleting past a namespace that is already gone
            if (left.Count > 0)
                Exec.Run("ip", ["-force", "-batch", "-"], stdin: string.Join('\n', left.Select(n => $"netns del {n}")) + "\n");
        }
        finally
        {
            _dir.Dispose();
        }
    }
}

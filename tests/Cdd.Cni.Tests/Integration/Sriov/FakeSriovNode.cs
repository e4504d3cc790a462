using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration.Sriov;

/// <summary>
/// A node with a fake SR-IOV card: a sysfs tree of the test's own (directories and relative symlinks, as the kernel
/// lays them out) whose PF pf0 (0000:3b:00.0) has VFs 0000:3b:02.N, each bound to iavf with netdev vfN; the netdevs
/// are real: veth ends in the node namespace (peer vfNp up, so they have carrier). cdd-cni runs in the node with
/// CDD_SYSFS_ROOT at the tree. The PF's VF settings cannot be faked on this kernel (they are checked in the VM tier).
/// </summary>
internal sealed class FakeSriovNode : IDisposable
{
    public const string PfPci = "0000:3b:00.0";
    readonly List<IDisposable> _owned = [];

    public FakeSriovNode(int vfs = 4)
    {
        Root.Require();
        Temp = new TempDir("cdd-sriov");
        _owned.Add(Temp);
        Node = new TestNetns("cddsn");
        _owned.Add(Node);
        SysRoot = Temp.Sub("sysroot");
        Node.Ip_("link", "add", "pf0", "type", "veth", "peer", "name", "pf0p");
        Node.Ip_("link", "set", "pf0", "up");
        Dir($"sys/bus/pci/drivers/iavf");
        Dir($"sys/bus/pci/drivers/vfio-pci");
        Dir($"sys/bus/pci/devices/{PfPci}/net/pf0");
        File.WriteAllText(Path.Combine(SysRoot, $"sys/bus/pci/devices/{PfPci}/sriov_totalvfs"), "8\n");
        File.WriteAllText(Path.Combine(SysRoot, $"sys/bus/pci/devices/{PfPci}/sriov_numvfs"), $"{vfs}\n");
        Dir("sys/class/net/pf0");
        Link($"sys/class/net/pf0/device", $"../../../bus/pci/devices/{PfPci}");
        for (int i = 0; i < vfs; i++) AddVf(i, $"vf{i}", "iavf");
        Cni = new CniRun { CniPath = $"{RepoRoot.Out}:/usr/lib/cni", StateDir = Temp.Sub("state"), NodeNetns = Node.Name };
        DataDir = Temp.Sub("ipam");
    }

    public TempDir Temp { get; }
    public TestNetns Node { get; }
    public string SysRoot { get; }
    public CniRun Cni { get; }
    public string DataDir { get; }

    public static string VfPci(int i) => $"0000:3b:02.{i}";

    /// <summary>VF i as sysfs shows it; a netdev name makes a real veth for it in the node (unless null).</summary>
    public void AddVf(int i, string? netdev, string driver)
    {
        string dir = $"sys/bus/pci/devices/{VfPci(i)}";
        Dir(dir);
        Link($"{dir}/physfn", $"../{PfPci}");
        Link($"sys/bus/pci/devices/{PfPci}/virtfn{i}", $"../{VfPci(i)}");
        Link($"{dir}/driver", $"../../../../bus/pci/drivers/{driver}");
        if (netdev is null) return;
        Dir($"{dir}/net/{netdev}");
        Node.Ip_("link", "add", netdev, "type", "veth", "peer", "name", netdev + "p");
        Node.Ip_("link", "set", netdev + "p", "up");
    }

    void Dir(string rel) => Directory.CreateDirectory(Path.Combine(SysRoot, rel));

    void Link(string rel, string target)
    {
        string at = Path.Combine(SysRoot, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(at)!);
        File.CreateSymbolicLink(at, target);
    }

    public TestNetns NewPod()
    {
        var pod = new TestNetns("cddsp");
        _owned.Add(pod);
        return pod;
    }

    public Dictionary<string, string> Env => new() { ["CDD_SYSFS_ROOT"] = SysRoot };

    public string HostLocal(string subnet = "10.66.0.0/24", string gateway = "10.66.0.1") =>
        $$"""{"type":"host-local","dataDir":"{{DataDir}}","ranges":[[{"subnet":"{{subnet}}","gateway":"{{gateway}}"}]],"routes":[{"dst":"0.0.0.0/0"}]}""";

    public string Config(string fields = "\"pfs\":[\"pf0\"]", string? ipam = null, string version = "1.1.0") =>
        $$"""{"cniVersion":"{{version}}","name":"srnet","type":"cdd-cni","mode":"sriov",{{fields}},"ipam":{{ipam ?? HostLocal()}}}""";

    public CniOutcome Add(string config, string id, TestNetns pod, string ifName = "eth0") => Cni.Exec("ADD", config, id, pod.Path, ifName, Env);
    public CniOutcome Del(string config, string id, string? podNetns, string ifName = "eth0") => Cni.Exec("DEL", config, id, podNetns, ifName, Env);

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}

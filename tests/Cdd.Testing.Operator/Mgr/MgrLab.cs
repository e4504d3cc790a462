using System.Net;
using System.Text.Json.Nodes;

namespace Cdd.Testing.Operator.Mgr;

/// <summary>
/// The network MGR members live on, made of namespaces this lab owns: a fabric namespace with a bridge that routes
/// between the pool's two segments (it holds both gateways and forwards), "nodes" (a namespace each, whose macvlan
/// master m0 is a veth into the fabric bridge) and "pods" (a namespace each, plugged by a real <c>cdd-cni ADD</c> in
/// macvlan mode run in the node's namespace, the address from <c>cdd-ipam</c> on its file store, with the address the
/// operator bound for the member requested in runtimeConfig.ips and StatefulSet identities kept for life). The file
/// store is shared by all nodes, standing in for the cluster-wide store a fixed identity follows across nodes.
/// Dispose deletes every pod (CNI DEL first), node and the fabric, also after a failed test.
/// </summary>
public sealed class MgrLab : IDisposable
{
    public static readonly (string Name, string Subnet, string Gateway)[] Segments =
    [
        ("seg-a", "10.77.0.0/24", "10.77.0.1"),
        ("seg-b", "10.77.1.0/24", "10.77.1.1"),
    ];

    /// <summary>The allowlist the operator derives from the pool's segments.</summary>
    public static string Allowlist => string.Join(',', Segments.Select(s => s.Subnet));

    readonly TestNetns _fabric;
    readonly Dictionary<string, TestNetns> _nodes = new(StringComparer.Ordinal);
    readonly List<PodNet> _pods = [];
    readonly TempDir _temp;
    readonly string _cni, _statefulSet;

    public MgrLab(string statefulSet)
    {
        Root.Require();
        _statefulSet = statefulSet;
        _cni = RepoRoot.CddCni;
        _ = RepoRoot.Published("cdd-ipam", "ipam/Cdd.Ipam.Plugin/Cdd.Ipam.Plugin.csproj");
        _temp = new TempDir("cdd-mgr-lab");
        _fabric = new TestNetns("cddmf");
        try
        {
            _fabric.Ip_("link", "add", "br0", "type", "bridge");
            foreach (var s in Segments)
                _fabric.Ip_("addr", "add", $"{s.Gateway}/{s.Subnet.Split('/')[1]}", "dev", "br0");
            _fabric.Ip_("link", "set", "br0", "up");
            Exec.Run("ip", "netns", "exec", _fabric.Name, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").EnsureSuccess("sysctl net.ipv4.ip_forward=1 in the fabric namespace");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string StoreDir => Path.Combine(_temp.Path, "ipam");

    /// <summary>A node: a namespace whose m0 is a veth whose peer is a port of the fabric bridge.</summary>
    public TestNetns Node(string name)
    {
        if (_nodes.TryGetValue(name, out var n)) return n;
        n = new TestNetns("cddmn");
        _nodes[name] = n;
        string port = $"p{_nodes.Count}-{n.Name[^4..]}";
        n.Ip_("link", "add", "m0", "type", "veth", "peer", "name", port, "netns", _fabric.Name);
        n.Ip_("link", "set", "m0", "up");
        _fabric.Ip_("link", "set", port, "master", "br0");
        _fabric.Ip_("link", "set", port, "up");
        return n;
    }

    /// <summary>
    /// A new pod namespace on <paramref name="node"/> for member pod <paramref name="pod"/>, plugged by cdd-cni ADD with
    /// <paramref name="address"/> requested; fails when the result is not that address.
    /// </summary>
    public PodNet Attach(string node, string pod, IPAddress address)
    {
        var nodeNs = Node(node);
        var ns = new TestNetns("cddmp");
        var net = new PodNet(this, node, pod, ns, $"{pod}-{Guid.NewGuid():N}"[..40], address);
        _pods.Add(net);
        var r = Cni("ADD", nodeNs, net);
        if (r.ExitCode != 0) throw new InvalidOperationException($"cdd-cni ADD for {pod} on {node} exited {r.ExitCode}: {r.Stdout} {r.Stderr}");
        var result = JsonNode.Parse(r.Stdout)!;
        string got = result["ips"]![0]!["address"]!.GetValue<string>();
        if (!got.StartsWith(address + "/", StringComparison.Ordinal))
            throw new InvalidOperationException($"cdd-cni ADD for {pod} gave {got}, not the bound {address}: {r.Stdout}");
        return net;
    }

    ExecResult Cni(string verb, TestNetns node, PodNet pod)
    {
        var env = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = verb, ["CNI_PATH"] = $"{RepoRoot.Out}:/usr/lib/cni", ["CNI_CONTAINERID"] = pod.ContainerId,
            ["CNI_IFNAME"] = "eth0", ["CNI_NETNS"] = pod.Netns.Path, ["CDD_STATE_DIR"] = Path.Combine(_temp.Path, "state"),
            ["CNI_ARGS"] = $"IgnoreUnknown=1;K8S_POD_NAMESPACE=db;K8S_POD_NAME={pod.Pod};K8S_POD_UID={Guid.NewGuid()}",
        };
        return Exec.Run("nsenter", [$"--net={node.Path}", _cni], env, Config(pod.Node, pod.Address), clearEnv: true);
    }

    string Config(string node, IPAddress address)
    {
        var segments = new JsonArray([.. Segments.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name, ["subnet"] = s.Subnet, ["gateway"] = s.Gateway,
            ["nodeSelector"] = new JsonObject { ["fabric"] = "mgr" },
            ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
        })]);
        return new JsonObject
        {
            ["cniVersion"] = "1.1.0", ["name"] = "mysqlnet", ["type"] = "cdd-cni", ["mode"] = "macvlan", ["master"] = "m0",
            ["ipam"] = new JsonObject
            {
                ["type"] = "cdd-ipam", ["store"] = "file", ["dataDir"] = StoreDir, ["fixedStatefulSets"] = new JsonArray(_statefulSet),
                ["node"] = new JsonObject { ["name"] = node, ["labels"] = new JsonObject { ["fabric"] = "mgr" } },
                ["pool"] = new JsonObject { ["name"] = "mysql", ["segments"] = segments },
            },
            ["runtimeConfig"] = new JsonObject { ["ips"] = new JsonArray(address.ToString()) },
        }.ToJsonString();
    }

    internal void Detach(PodNet pod)
    {
        if (!_pods.Remove(pod)) return;
        try
        {
            if (pod.Netns.Exists && _nodes.TryGetValue(pod.Node, out var node)) Cni("DEL", node, pod);
        }
        finally
        {
            pod.Netns.Dispose();
        }
    }

    public void Dispose()
    {
        var errors = new List<Exception>();
        foreach (var p in _pods.ToList())
            try { Detach(p); } catch (Exception e) { errors.Add(e); }
        foreach (var n in _nodes.Values)
            try { n.Dispose(); } catch (Exception e) { errors.Add(e); }
        try { _fabric.Dispose(); } catch (Exception e) { errors.Add(e); }
        try { _temp.Dispose(); } catch (Exception e) { errors.Add(e); }
        if (errors.Count > 0) throw new AggregateException("cleaning up the MGR lab", errors);
    }
}

/// <summary>A pod's network namespace on a node, with the address cdd-cni gave it.</summary>
public sealed class PodNet(MgrLab lab, string node, string pod, TestNetns netns, string containerId, IPAddress address)
{
    public string Node { get; } = node;
    public string Pod { get; } = pod;
    public TestNetns Netns { get; } = netns;
    public string ContainerId { get; } = containerId;
    public IPAddress Address { get; } = address;
    /// <summary>The pool segment the address is in.</summary>
    public string Segment => MgrLab.Segments.Single(s => InSubnet(Address, s.Subnet)).Name;

    static bool InSubnet(IPAddress ip, string subnet)
    {
        var parts = subnet.Split('/');
        int bits = int.Parse(parts[1]);
        uint a = BitConverter.ToUInt32([.. ip.GetAddressBytes().Reverse()]), n = BitConverter.ToUInt32([.. IPAddress.Parse(parts[0]).GetAddressBytes().Reverse()]);
        uint mask = bits == 0 ? 0 : uint.MaxValue << (32 - bits);
        return (a & mask) == (n & mask);
    }

    /// <summary>What kubelet does when the pod goes: CNI DEL, then the namespace is deleted.</summary>
    public void Delete() => lab.Detach(this);
}

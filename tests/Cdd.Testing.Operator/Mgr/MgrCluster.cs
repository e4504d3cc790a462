using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Placement.Live;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile;
using MySqlConnector;
using Xunit;

namespace Cdd.Testing.Operator.Mgr;

/// <summary>
/// One real MySQL Group Replication cluster under the real operator, per test class: the in-process API server, the
/// operator wired exactly as <c>cdd-operator run</c> wires it (<see cref="RunCommand.Wire"/>, member addresses mapped to
/// the members' Unix sockets), and a "kubelet" that runs the member pods the operator creates: each pod on its node's
/// namespace, plugged by cdd-cni with the address the operator bound, mysqld started with the pod's MGR args (what the
/// pod spec says: report_host, local address and seeds on the fixed IPs, the pool's allowlist, weights). The kubelet
/// plays the image's entrypoint on a fresh datadir: the pod annotated <c>cdd.io/bootstrap</c> bootstraps the group,
/// the others join it (start_on_boot held OFF for that first boot only); a pod made again on an existing datadir (the
/// volume) runs the pod's settings as they are. A deleted pod is stopped (SIGTERM), CNI DEL'd and its namespace
/// deleted. Dispose stops everything by PID, deletes every namespace and datadir, also after a failed test.
/// </summary>
public sealed class MgrCluster : IAsyncLifetime
{
    public const string Name = "orders", Pool = "mgr-pool";
    /// <summary>Racks a (odd) and b (even): each rack has a node to spare for a member that must move.</summary>
    public static readonly string[] NodeNames = ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"];

    readonly string _run = $"cdd-{Guid.NewGuid():N}"[..12];
    readonly ConcurrentDictionary<string, MgrMember> _members = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (string Uid, PodNet Net)> _pods = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, bool> _starting = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, bool> _downNodes = new(StringComparer.Ordinal);
    readonly StringWriter _log = new();
    readonly CancellationTokenSource _stop = new();
    Task _loops = Task.CompletedTask, _kubelet = Task.CompletedTask;
    readonly ConcurrentQueue<Exception> _kubeletErrors = new();

    internal ReconcileFixture F { get; private set; } = null!;
    public MgrLab Lab { get; private set; } = null!;
    internal ClusterController Controller { get; private set; } = null!;
    internal PrimaryTracker Tracker { get; private set; } = null!;
    internal PrimaryWatcherOptions Options { get; private set; } = null!;
    /// <summary>The ledger the reconciler reports the balance loop's moves from (PrimaryBalanced).</summary>
    internal BalanceLedger Ledger { get; } = new();
    public TextWriter Log => TextWriter.Synchronized(_log);
    Cdd.Operator.Members.KubeMemberAddresses? _addresses;

    /// <summary>Settings every member gets besides the pod's (member_expel_timeout for the failover figures).</summary>
    public Dictionary<string, string> Extra { get; } = new() { ["loose-group_replication_member_expel_timeout"] = "0" };

    /// <summary>Kept for assertions: the operator's log.</summary>
    public string OperatorLog => _log.ToString();

    public async Task InitializeAsync()
    {
        MgrRoot.Require();
        try
        {
            Lab = new MgrLab(Name);
            F = new ReconcileFixture();
            for (int i = 0; i < NodeNames.Length; i++)
                F.AddNode(NodeNames[i], zone: $"z{i % 2 + 1}", labels: new Dictionary<string, string> { [NodeInventoryReader.MacvlanLabel] = "true", ["rack"] = RackOf(NodeNames[i]) });
            // Racks a (node-1, node-3) and b (node-2, node-4) each reach one segment: members land on both.
            F.CreatePool(Pool, MgrLab.Segments.Select((s, i) => new JsonObject
            {
                ["name"] = s.Name, ["subnet"] = s.Subnet, ["gateway"] = s.Gateway, ["nodeSelector"] = new JsonObject { ["rack"] = i == 0 ? "a" : "b" },
            }));
            F.AddCredentials(Name, MgrMember.OperatorUser, MgrMember.OperatorPassword);
            var options = new PrimaryWatcherOptions { PollInterval = TimeSpan.FromMilliseconds(200) };
            Options = options;
            (Controller, Tracker, _addresses) = RunCommand.Wire(F.NewClient(), options, TimeSpan.FromSeconds(5), TextWriter.Synchronized(_log), endpointOf: EndpointOf, balance: Ledger);
            var cluster = OperatorObjects.Cluster(Name, 3, cpu: "1", pool: Pool);
            cluster["spec"]!["network"]!["mode"] = "macvlan";
            F.Server.Store.Create(ReconcileFixture.ClusterRoute(), cluster);
            _loops = Task.WhenAll(Controller.RunAsync(_stop.Token), Tracker.Watcher.RunAsync(_stop.Token));
            _kubelet = Task.Run(() => KubeletAsync(_stop.Token));
            await WaitAsync("three member pods running, every member ONLINE", () => Pods().Count == 3 && Pods().All(p => Phase(p) == "Running") && AllOnline(3), TimeSpan.FromMinutes(6));
            await WaitAsync("status.primary set by the operator", () => StatusPrimary() is not null, TimeSpan.FromMinutes(1));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public static string RackOf(string node) => int.Parse(node[(node.LastIndexOf('-') + 1)..]) % 2 == 1 ? "a" : "b";

    MySqlConnectionStringBuilder EndpointOf(IPAddress ip) =>
        _members.Values.FirstOrDefault(m => m.Net?.Address.Equals(ip) == true)?.OperatorEndpoint()
        ?? new MySqlConnectionStringBuilder { Server = Path.Combine(MgrRoot.Path, "srv", _run, "no-member-at-" + ip), ConnectionProtocol = MySqlConnectionProtocol.UnixSocket };

    public MgrMember Member(string pod) => _members.TryGetValue(pod, out var m) ? m : throw new KeyNotFoundException($"no member {pod}; members: {string.Join(",", _members.Keys)}");
    public IReadOnlyCollection<MgrMember> RunningMembers => [.. _members.Values.Where(m => m.Pid is not null)];

    internal List<JsonObject> Pods() => F.Pods();
    static string? Phase(JsonObject pod) => pod["status"]?["phase"]?.GetValue<string>();
    public string? StatusPrimary() => F.Cluster(Name)?["status"]?["primary"]?.GetValue<string>();
    /// <summary>The pod the operator labels cdd.io/role=primary (what the &lt;cluster&gt;-primary Service selects).</summary>
    public string? LabelledPrimary() => Pods().Where(p => p.Label(MemberNames.RoleLabel) == "primary").Select(p => p.Name()).SingleOrDefault();
    public string NodeOf(string pod) => F.Pod(pod).NodeName();
    public string AddressOf(string pod) => F.Pod(pod).Annotation(MemberNames.AddressAnnotation)!;
    public string PodAtAddress(string address) => Pods().Single(p => p.Annotation(MemberNames.AddressAnnotation) == address).Name();

    /// <summary>The primary as MGR reports it (MEMBER_HOST mapped to the pod), asked of any running member; null if none is ONLINE PRIMARY.</summary>
    public string? GroupPrimary()
    {
        foreach (var m in RunningMembers)
        {
            var rows = m.Members();
            var p = rows.Where(r => r.State == "ONLINE" && r.Role == "PRIMARY").Select(r => r.Host).ToList();
            if (p.Count == 1 && rows.Any(r => r.Host == m.Net?.Address.ToString() && r.State == "ONLINE")) return PodAtAddress(p[0]);
        }
        return null;
    }

    public bool AllOnline(int count)
    {
        foreach (var m in RunningMembers)
        {
            var rows = m.Members();
            if (rows.Count == count && rows.All(r => r.State == "ONLINE")) return true;
        }
        return false;
    }

    /// <summary>The pod that MEMBER_HOST <paramref name="pod"/>'s member holds the group of (ONLINE rows only).</summary>
    public async Task WaitAsync(string what, Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (_kubeletErrors.TryPeek(out var e)) throw new InvalidOperationException($"the test kubelet failed while waiting for {what}: {e.Message}\n{Describe()}", e);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds:0} s: {what}\n{Describe()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for a whole group: every member ONLINE and the operator's primary label on MGR's primary.</summary>
    public Task WholeAsync(TimeSpan timeout) =>
        WaitAsync("a whole group with the operator's label on its primary", () => AllOnline(3) && GroupPrimary() is { } p && LabelledPrimary() == p, timeout);

    /// <summary>
    /// <paramref name="pod"/>'s node is lost: the kubelet starts nothing there any more, the node is cordoned and the pod
    /// deleted; waits until the operator made it again on another node and the group is ONLINE with it.
    /// </summary>
    public async Task LoseNodeOfAsync(string pod, TimeSpan timeout)
    {
        string oldNode = NodeOf(pod);
        NodeDown(oldNode);
        F.Cordon(oldNode);
        F.DeletePod(pod);
        await WaitAsync($"{pod} made again on another node and ONLINE", () =>
            Pods().Any(p => p.Name() == pod && p["spec"]?["nodeName"]?.GetValue<string>() is { } n && n != oldNode)
            && Member(pod).Pid is not null && AllOnline(3), timeout);
    }

    public string Describe()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"status: {F.Cluster(Name)?["status"]?.ToJsonString()}");
        foreach (var p in Pods()) sb.AppendLine($"pod {p.Name()} on {p["spec"]?["nodeName"]} {Phase(p)} {p.Annotation(MemberNames.AddressAnnotation)} role={p.Label(MemberNames.RoleLabel)}");
        foreach (var m in _members.Values)
            sb.AppendLine($"member {m.Name} pid={m.Pid} sees {string.Join(", ", m.Members().Select(r => $"{r.Host}={r.State}/{r.Role}"))}\n  log: {m.Tail(6).Replace("\n", "\n  log: ")}");
        var log = _log.ToString();
        sb.AppendLine($"operator log (tail): {(log.Length > 3000 ? log[^3000..] : log)}");
        return sb.ToString();
    }

    /// <summary>The store's resourceVersion now: pass it to <see cref="ConditionsSince"/>.</summary>
    public long Now => F.Server.Store.ResourceVersion;

    /// <summary>Every (reason, message) the operator wrote for condition <paramref name="type"/> after <paramref name="rv"/>, in order.</summary>
    public List<(string Reason, string Message)> ConditionsSince(string type, long rv) =>
        [.. F.Server.Store.EventsAfter(ReconcileFixture.ClusterRoute(), rv, Cdd.Testing.Kube.LabelSelector.Parse(null))
            .SelectMany(e => e.Object["status"]?["conditions"]?.AsArray().OfType<JsonObject>() ?? [])
            .Where(x => x["type"]?.GetValue<string>() == type)
            .Select(x => (x["reason"]!.GetValue<string>(), x["message"]!.GetValue<string>()))
            .Distinct()];

    /// <summary>A "node" stops: the kubelet starts nothing there any more (its running members are the test's to kill).</summary>
    public void NodeDown(string node) => _downNodes[node] = true;

    /// <summary>The pod's container restarts in place (kubelet's restartPolicy Always after a crash): same namespace, same args.</summary>
    public void RestartContainer(string pod)
    {
        var member = Member(pod);
        var (_, net) = _pods[pod];
        member.Start(net, Args(F.Pod(pod)), Extra);
    }

    static List<string> Args(JsonObject pod) =>
        [.. pod["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    async Task KubeletAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                SyncPods();
            }
            catch (Exception e)
            {
                _kubeletErrors.Enqueue(e);
            }
            try { await Task.Delay(200, ct); } catch (OperationCanceledException) { return; }
        }
    }

    void SyncPods()
    {
        var pods = Pods();
        var byName = pods.ToDictionary(p => p.Name());
        // Deleted (or made again under a new uid): stop the container, CNI DEL, namespace gone.
        foreach (var (name, (uid, net)) in _pods)
        {
            if (_starting.ContainsKey(name)) continue;
            if (byName.TryGetValue(name, out var p) && p["metadata"]!["uid"]!.GetValue<string>() == uid) continue;
            if (_members.TryGetValue(name, out var m)) m.Stop();
            net.Delete();
            _pods.TryRemove(name, out _);
        }
        foreach (var pod in pods)
        {
            string name = pod.Name(), uid = pod["metadata"]!["uid"]!.GetValue<string>();
            if (_pods.ContainsKey(name) || _starting.ContainsKey(name) || pod["metadata"]!["deletionTimestamp"] is not null) continue;
            if (pod["spec"]?["nodeName"]?.GetValue<string>() is not { } node || _downNodes.ContainsKey(node)) continue;
            if (pod.Annotation(MemberNames.AddressAnnotation) is not { } address) continue;
            _starting[name] = true;
            _ = Task.Run(() =>
            {
                try
                {
                    RunPod(pod, name, uid, node, IPAddress.Parse(address));
                }
                catch (Exception e)
                {
                    _kubeletErrors.Enqueue(new InvalidOperationException($"running pod {name}: {e.Message}", e));
                }
                finally
                {
                    _starting.TryRemove(name, out _);
                }
            });
        }
    }

    void RunPod(JsonObject pod, string name, string uid, string node, IPAddress address)
    {
        var member = _members.GetOrAdd(name, n => new MgrMember(_run, n));
        var net = Lab.Attach(node, name, address);
        _pods[name] = (uid, net);
        bool fresh = !member.HasData;
        member.Start(net, Args(pod), Extra, startOnBoot: fresh ? false : null);
        if (fresh)
        {
            if (pod.Annotation(MemberNames.BootstrapAnnotation) == "true")
            {
                member.Execute("SET GLOBAL group_replication_bootstrap_group=ON; START GROUP_REPLICATION; SET GLOBAL group_replication_bootstrap_group=OFF;");
            }
            else
            {
                // The entrypoint of a new member: join once a member of the group is ONLINE.
                Eventually.True($"{name} joined the group", () =>
                {
                    if (!_members.Values.Any(m => m != member && m.Pid is not null && m.State() == "ONLINE")) return false;
                    try
                    {
                        member.Execute("START GROUP_REPLICATION");
                        return true;
                    }
                    catch (MySqlException)
                    {
                        return false;
                    }
                }, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1));
            }
        }
        F.MarkRunning(name);
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        try { await _kubelet; } catch (Exception) { }
        try { await _loops; } catch (Exception) { }
        while (!_starting.IsEmpty) await Task.Delay(100);
        var errors = new List<Exception>();
        foreach (var m in _members.Values)
            try { m.Kill9(); m.Dispose(); } catch (Exception e) { errors.Add(e); }
        try { Directory.Delete(Path.Combine(MgrRoot.Path, "srv", _run), recursive: true); } catch (DirectoryNotFoundException) { }
        try { Lab?.Dispose(); } catch (Exception e) { errors.Add(e); }
        if (_addresses is not null) await _addresses.DisposeAsync();
        F?.Dispose();
        if (errors.Count > 0) throw new AggregateException("cleaning up the MGR cluster", errors);
    }
}

using static Cdd.Deploy.Tests.Problems;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cdd.Deploy.Tests.Manifests;
using Cdd.Testing;
using Cdd.Testing.Kube;

namespace Cdd.Deploy.Tests.Rbac;

/// <summary>
/// The operator's and the extender's roles are exactly what they do. out/cdd-operator runs as the Deployments run it
/// (`run --leader-elect-namespace cdd-system`; `extender`) against the in-process API server seeded with the samples
/// (pool, namespace, credentials, the three-member MySQLCluster) and three nodes; the operator places the cluster,
/// moves a member whose node is cordoned before its volume is bound, follows its pods once they run and their claims
/// are bound, recreates an evicted member on its volume's node,
/// scales the cluster down and deletes it. What needs a live MGR
/// group (moving the primary: its event and the role label; new settings patched onto pods) cannot happen here: those
/// calls are listed in <see cref="NeedsMgr"/> with their call sites, which a test finds in the source, so the table
/// cannot outlive the code.
/// </summary>
[Tier(Tier.Unit)]
public sealed class OperatorRbacTests : IClassFixture<OperatorRbacTests.Run>
{
    readonly Run _run;

    public OperatorRbacTests(Run run) => _run = run;

    static readonly ManifestTree Tree = ManifestTree.Load();

    /// <summary>
    /// Calls the scenario cannot reach: (what, source file from the repository root, the call in it). A live MGR group
    /// moves the primary (its event, the role label on the pod); a write whose answer is lost is read back.
    /// </summary>
    public static readonly IReadOnlyList<(ApiUse Use, string File, string Call)> NeedsMgr =
    [
        (new ApiUse("create", "", "events", "db"), "deploy/operator/Cdd.Operator/Reconcile/PrimaryBalanceLoop.cs", "CoreV1.CreateNamespacedEventAsync"),
        (new ApiUse("patch", "", "pods", "db"), "deploy/operator/Cdd.Operator/Primary/KubeRoleSink.cs", "CoreV1.PatchNamespacedPodAsync"),
        (new ApiUse("get", "cdd.io", "ipreservations"), "ipam/Cdd.Ipam.Kube/Store/ReservationApi.cs", "CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<IpReservationObject>"),
    ];

    public sealed class Run
    {
        public Run()
        {
            using var dir = new TempDir("cdd-deploy-operator");
            using var api = new FakeKubeApiServer()
                .Serve("cdd.io", "v1", "mysqlclusters", "MySQLCluster")
                .Serve("cdd.io", "v1", "ippools", "IPPool")
                .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
                .Serve("", "v1", "pods", "Pod")
                .Serve("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
                .Serve("", "v1", "persistentvolumes", "PersistentVolume")
                .Serve("", "v1", "services", "Service")
                .Serve("", "v1", "nodes", "Node")
                .Serve("", "v1", "namespaces", "Namespace")
                .Serve("", "v1", "secrets", "Secret")
                .Serve("", "v1", "events", "Event")
                .Serve("coordination.k8s.io", "v1", "leases", "Lease");
            var samples = ManifestTree.Load(Path.Combine(ManifestTree.Root, "samples"));
            api.Store.Create(R("/apis/cdd.io/v1/ippools"), YamlJson.Object(samples.OfKind("IPPool").Single().Node));
            api.Store.Create(R("/api/v1/namespaces"), YamlJson.Object(samples.Single("Namespace", "db").Node));
            var secret = YamlJson.Object(samples.OfKind("Secret").Single().Node);
            // stringData is the API server's write-only convenience; the stored object has data.
            secret["data"] = new JsonObject(secret["stringData"]!.AsObject().Select(kv =>
                KeyValuePair.Create(kv.Key, (JsonNode?)Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(kv.Value!.GetValue<string>())))));
            secret.Remove("stringData");
            api.Store.Create(R("/api/v1/namespaces/db/secrets"), secret);
            foreach (var (node, zone, rack) in new[] { ("node-a", "a", "a"), ("node-b", "b", "b"), ("node-c", "c", "a"), ("node-d", "c", "a") }) AddNode(api, node, zone, rack);
            api.Store.Create(R("/apis/cdd.io/v1/namespaces/db/mysqlclusters"), YamlJson.Object(samples.OfKind("MySQLCluster").Single().Node));

            string binary = RepoRoot.Published("cdd-operator", "deploy/operator/Cdd.Operator/Cdd.Operator.csproj");
            string kubeconfig = api.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig"));
            var env = new Dictionary<string, string> { ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = dir.Sub("extract") };
            using (var op = RunningProcess.Start(binary, ["run", "--kubeconfig", kubeconfig, "--leader-elect-namespace", "cdd-system", "--resync", "1", "--primary-poll", "0.5"], env))
            {
                Wait(api, op, "three member pods", () => Pods(api).Count == 3);
                // Zone c's member loses its node before its volume was bound (cordoned, the pod gone, the claim's node
                // annotation cleared): the operator places it on the other zone-c node (its fixed address binding
                // names no node until the agent hands it to the pod).
                var moving = Pods(api).Single(p => p["spec"]?["nodeName"]?.GetValue<string>() is "node-c" or "node-d");
                string from = moving["spec"]!["nodeName"]!.GetValue<string>(), to = from == "node-c" ? "node-d" : "node-c";
                var claim = api.Store.List(R("/api/v1/namespaces/db/persistentvolumeclaims"), LabelSelector.Parse("")).Items
                    .Single(c => c["metadata"]?["annotations"]?["volume.kubernetes.io/selected-node"]?.GetValue<string>() == from);
                claim["metadata"]!["annotations"]!.AsObject().Remove("volume.kubernetes.io/selected-node");
                api.Store.Update(R($"/api/v1/namespaces/db/persistentvolumeclaims/{claim["metadata"]!["name"]!.GetValue<string>()}"), claim);
                var cordoned = api.Store.Get(R($"/api/v1/nodes/{from}"));
                cordoned["spec"] = new JsonObject { ["unschedulable"] = true };
                api.Store.Update(R($"/api/v1/nodes/{from}"), cordoned);
                api.Store.Delete(R($"/api/v1/namespaces/db/pods/{moving["metadata"]!["name"]!.GetValue<string>()}"), null, null);
                Wait(api, op, $"the zone-c member moved from {from} to {to}", () =>
                    Pods(api).Count(p => p["spec"]?["nodeName"]?.GetValue<string>() == to) == 1
                    && api.Requests.Any(r => r is { Resource: "persistentvolumeclaims", Verb: "patch" }));
                // What kubelet and the PV controller would do: the members run, each claim is bound to a local volume.
                foreach (var pvc in api.Store.List(R("/api/v1/namespaces/db/persistentvolumeclaims"), LabelSelector.Parse("")).Items) Bind(api, pvc);
                foreach (var pod in Pods(api)) Running(api, pod);
                Wait(api, op, "the operator to read the credentials", () => api.Requests.Any(r => r.Resource == "secrets"));
                // A member's pod is gone (evicted): the operator recreates it where its bound volume lives.
                string evicted = Pods(api)[0]["metadata"]!["name"]!.GetValue<string>();
                api.Store.Delete(R($"/api/v1/namespaces/db/pods/{evicted}"), null, null);
                Wait(api, op, "the evicted member back on its volume's node", () =>
                    api.Requests.Any(r => r.Resource == "persistentvolumes") && Pods(api).Count == 3);
                var cluster = api.Store.Get(R("/apis/cdd.io/v1/namespaces/db/mysqlclusters/orders"));
                cluster["spec"]!["members"] = 1;
                cluster["spec"]!["mysql"]!["memberWeights"] = new JsonArray(70); // one weight per member
                api.Store.Update(R("/apis/cdd.io/v1/namespaces/db/mysqlclusters/orders"), cluster);
                Wait(api, op, "the scale-down to one member", () => Pods(api).Count == 1);
                api.Store.Delete(R("/apis/cdd.io/v1/namespaces/db/mysqlclusters/orders"), null, null);
                Wait(api, op, "the cluster's finalizer to clean up", () =>
                    api.Store.List(R("/apis/cdd.io/v1/mysqlclusters"), LabelSelector.Parse("")).Items.Count == 0 && Pods(api).Count == 0);
                Stop(op);
            }
            Operator = [.. api.Requests.Select(ApiUse.Of).Distinct()];

            while (api.Requests.TryDequeue(out _)) { }
            int port = FreePort();
            using (var ext = RunningProcess.Start(binary, ["extender", "--kubeconfig", kubeconfig, "--listen", $"127.0.0.1:{port}", "--inventory-ttl", "1"], env))
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                Wait(api, ext, "the extender to answer a prioritize call", () =>
                {
                    try
                    {
                        using var r = http.PostAsync($"http://127.0.0.1:{port}/prioritize", new StringContent("{}")).GetAwaiter().GetResult();
                        return api.Requests.Any(q => q.Resource == "mysqlclusters");
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                });
                Stop(ext);
            }
            Extender = [.. api.Requests.Select(ApiUse.Of).Distinct()];
        }

        public IReadOnlyList<ApiUse> Operator { get; }
        public IReadOnlyList<ApiUse> Extender { get; }

        static KubeRoute R(string path) => KubeRoute.Parse(path)!;

        static List<JsonObject> Pods(FakeKubeApiServer api) =>
            [.. api.Store.List(R("/api/v1/namespaces/db/pods"), LabelSelector.Parse("")).Items.Where(p => p["metadata"]?["deletionTimestamp"] is null)];

        static void Wait(FakeKubeApiServer api, RunningProcess p, string what, Func<bool> done)
        {
            try
            {
                Eventually.True(what, () => p.HasExited ? throw new InvalidOperationException($"cdd-operator exited {p.ExitCode}: {p.Output}") : done(),
                    TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
            }
            catch (TimeoutException e)
            {
                string output = p.Output;
                throw new TimeoutException($"{e.Message}; requests so far: {string.Join(", ", api.Requests.Select(ApiUse.Of).Distinct())}; cdd-operator said: {output[Math.Max(0, output.Length - 3000)..]}", e);
            }
        }

        static void Stop(RunningProcess p)
        {
            _ = Tmds.Linux.LibC.kill(p.Id, 15);
            if (!p.WaitForExit(TimeSpan.FromSeconds(10))) p.Kill();
        }

        static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        static void AddNode(FakeKubeApiServer api, string name, string zone, string rack)
        {
            var node = JsonNode.Parse("""
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"@NAME",
                  "labels":{"kubernetes.io/hostname":"@NAME","topology.kubernetes.io/zone":"@ZONE","topology.cdd.io/rack":"@RACK","cdd.io/macvlan-master":"true"},
                  "annotations":{"cdd.io/storage":"cdd-lvm-thin=2Ti"}}}
                """.Replace("@NAME", name, StringComparison.Ordinal).Replace("@ZONE", zone, StringComparison.Ordinal).Replace("@RACK", rack, StringComparison.Ordinal))!.AsObject();
            api.Store.Create(R("/api/v1/nodes"), node);
            var stored = api.Store.Get(R($"/api/v1/nodes/{name}"));
            stored["status"] = JsonNode.Parse("""{"allocatable":{"cpu":"16","memory":"64Gi"}}""");
            api.Store.Update(R($"/api/v1/nodes/{name}/status"), stored);
        }

        static void Bind(FakeKubeApiServer api, JsonObject pvc)
        {
            string name = pvc["metadata"]!["name"]!.GetValue<string>();
            string node = pvc["metadata"]?["annotations"]?["volume.kubernetes.io/selected-node"]?.GetValue<string>() ?? "node-a";
            api.Store.Create(R("/api/v1/persistentvolumes"), JsonNode.Parse("""
                {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv-@NAME"},"spec":{"capacity":{"storage":"200Gi"},
                 "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["@NODE"]}]}]}}}}
                """.Replace("@NAME", name, StringComparison.Ordinal).Replace("@NODE", node, StringComparison.Ordinal))!.AsObject());
            var claim = api.Store.Get(R($"/api/v1/namespaces/db/persistentvolumeclaims/{name}"));
            claim["spec"]!["volumeName"] = $"pv-{name}";
            api.Store.Update(R($"/api/v1/namespaces/db/persistentvolumeclaims/{name}"), claim);
        }

        static void Running(FakeKubeApiServer api, JsonObject pod)
        {
            string name = pod["metadata"]!["name"]!.GetValue<string>();
            var p = api.Store.Get(R($"/api/v1/namespaces/db/pods/{name}"));
            p["status"] = JsonNode.Parse("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}""");
            api.Store.Update(R($"/api/v1/namespaces/db/pods/{name}/status"), p);
        }
    }

    static RoleGrants Grants(ManifestTree tree, string sa) => RoleGrants.For(tree, "cdd-system", sa);

    IEnumerable<ApiUse> OperatorUses => _run.Operator.Concat(NeedsMgr.Select(n => n.Use));

    [Fact]
    public void The_operators_role_grants_exactly_what_the_operator_does()
    {
        Assert.Contains(new ApiUse("create", "", "pods", "db"), _run.Operator);
        AssertNone(Grants(Tree, "cdd-operator").Diff(OperatorUses));
    }

    [Fact]
    public void The_extenders_role_grants_exactly_what_the_extender_reads()
    {
        AssertNone(Grants(Tree, "cdd-operator-extender").Diff(_run.Extender));
    }

    [Fact]
    public void The_calls_only_mgr_reaches_are_in_the_source_and_were_not_made_here()
    {
        foreach (var (use, file, call) in NeedsMgr)
        {
            string text = File.ReadAllText(Path.Combine(RepoRoot.Path, file));
            Assert.True(text.Contains(call, StringComparison.Ordinal), $"{file} no longer makes {call}: take {use} out of the table (and the role)");
            Assert.DoesNotContain(use, _run.Operator); // made by the scenario after all: the table entry is not needed
        }
    }

    [Fact]
    public void Dropping_or_adding_a_verb_in_the_operators_role_fails()
    {
        Assert.Contains("missing: the component does delete core/pods in db, which its role does not grant",
            Grants(RoleGrants.WithVerb(Tree, "cdd-operator", "pods", "delete", present: false), "cdd-operator").Diff(OperatorUses));
        Assert.Contains(Grants(RoleGrants.WithVerb(Tree, "cdd-operator", "secrets", "list", present: true), "cdd-operator").Diff(OperatorUses),
            p => p.StartsWith("unused: list core/secrets", StringComparison.Ordinal));
    }
}

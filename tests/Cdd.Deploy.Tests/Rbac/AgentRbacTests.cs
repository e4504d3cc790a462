using static Cdd.Deploy.Tests.Problems;
using System.Text.Json.Nodes;
using Cdd.Deploy.Tests.Manifests;
using Cdd.Ipam.Agent.Protocol;
using Cdd.Ipam.Agent.Protocol.Wire;
using Cdd.Testing;
using Cdd.Testing.Kube;

namespace Cdd.Deploy.Tests.Rbac;

/// <summary>
/// The agent's role is exactly what the agent does: out/cdd-ipamd started as the DaemonSet starts it (its service
/// account's view replaced by a kubeconfig on the in-process API server, seeded with the sample pool), driven through
/// every verb a node sees (ADD of a plain pod and of a StatefulSet member, CHECK, STATUS, DEL, GC, a deleted pod's
/// address collected, pool status written, a DEL whose answer is lost); every request it made, recorded, is compared with the ClusterRole bound
/// to its ServiceAccount, both ways.
/// </summary>
[Tier(Tier.Unit)]
public sealed class AgentRbacTests : IClassFixture<AgentRbacTests.Run>
{
    readonly Run _run;

    public AgentRbacTests(Run run) => _run = run;

    static readonly ManifestTree Tree = ManifestTree.Load();

    public sealed class Run : IDisposable
    {
        public Run()
        {
            using var dir = new TempDir("cdd-deploy-agent");
            using var api = new FakeKubeApiServer()
                .Serve("cdd.io", "v1", "ipreservations", "IPReservation")
                .Serve("cdd.io", "v1", "ippools", "IPPool")
                .Serve("", "v1", "pods", "Pod")
                .Serve("", "v1", "nodes", "Node")
                .Serve("", "v1", "namespaces", "Namespace")
                .Serve("coordination.k8s.io", "v1", "leases", "Lease");
            var samples = ManifestTree.Load(Path.Combine(ManifestTree.Root, "samples"));
            api.Store.Create(KubeRoute.Parse("/apis/cdd.io/v1/ippools")!, YamlJson.Object(samples.OfKind("IPPool").Single().Node));
            api.Store.Create(KubeRoute.Parse("/api/v1/namespaces")!, YamlJson.Object(samples.Single("Namespace", "db").Node));
            api.Store.Create(KubeRoute.Parse("/api/v1/nodes")!, Json("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-a","labels":{"topology.cdd.io/rack":"a"}}}"""));
            string web = Pod(api, "web-1", statefulSet: null);
            string member = Pod(api, "orders-0", statefulSet: "orders");
            string gone = Pod(api, "web-2", statefulSet: null);

            string socket = Path.Combine(dir.Sub("run"), "ipamd.sock");
            string binary = RepoRoot.Published("cdd-ipamd", "ipam/Cdd.Ipamd/Cdd.Ipamd.csproj");
            using (var agent = RunningProcess.Start(binary, ["--kubeconfig", api.WriteKubeconfig(Path.Combine(dir.Path, "kubeconfig")),
                       "--socket", socket, "--http", "off", "--node-name", "node-a", "--leak-grace-seconds", "0", "--housekeeping-seconds", "0.5"]))
            {
                Eventually.True("cdd-ipamd to serve its socket", () => agent.HasExited
                    ? throw new InvalidOperationException($"cdd-ipamd exited {agent.ExitCode}: {agent.Output}")
                    : File.Exists(socket) && Answers(socket), TimeSpan.FromSeconds(60));
                var a = Call(socket, Request("ADD", "c-web", "web-1", web));
                Call(socket, Request("ADD", "c-member", "orders-0", member));
                Call(socket, Request("ADD", "c-gone", "web-2", gone));
                Call(socket, Request("CHECK", "c-web", "web-1", web, addresses: [a.Ips![0].Address!.Split('/')[0]]));
                Call(socket, Request("STATUS", null, null, null));
                Call(socket, Request("DEL", "c-member", "orders-0", member)); // a fixed binding: kept, owner cleared
                // The runtime lists only c-web and c-gone: GC has nothing of this node's to free but judges by the list.
                Call(socket, new AgentRequest { Verb = "GC", Pool = "mysql", Network = "mysql-macvlan",
                    Valid = [new AgentAttachment { ContainerId = "c-web", IfName = "eth0" }, new AgentAttachment { ContainerId = "c-gone", IfName = "eth0" }] });
                api.Store.Delete(KubeRoute.Parse("/api/v1/namespaces/db/pods/web-2")!, null, null);
                Eventually.True("the deleted pod's address to be collected and the pool status written", () =>
                    !Reservations(api).Any(r => r["spec"]?["owner"]?["podName"]?.GetValue<string>() == "web-2")
                    && api.Store.Get(KubeRoute.Parse("/apis/cdd.io/v1/ippools/mysql")!)["status"]?["allocated"]?.GetValue<long>() == 2,
                    TimeSpan.FromSeconds(60));
                // A DEL whose answer is lost (applied, answered 500): the agent reads the object back to learn the outcome.
                api.Faults.Methods = new HashSet<string> { "DELETE" };
                api.Faults.LostReplyRate = 1.0;
                Call(socket, Request("DEL", "c-web", "web-1", web));
                api.Faults.LostReplyRate = 0;
                _ = Tmds.Linux.LibC.kill(agent.Id, 15);
                agent.WaitForExit(TimeSpan.FromSeconds(10));
            }
            Uses = [.. api.Requests.Select(ApiUse.Of).Distinct()];
        }

        public IReadOnlyList<ApiUse> Uses { get; }

        public void Dispose() { }

        static JsonObject Json(string s) => JsonNode.Parse(s)!.AsObject();

        static string Pod(FakeKubeApiServer api, string name, string? statefulSet)
        {
            var pod = Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"db","labels":{"app.kubernetes.io/name":"mysql"}},"spec":{"nodeName":"node-a"}}""");
            pod["metadata"]!["name"] = name;
            if (statefulSet is not null)
                pod["metadata"]!["ownerReferences"] = JsonNode.Parse($$"""[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"{{statefulSet}}","uid":"sts-uid","controller":true}]""");
            return api.Store.Create(KubeRoute.Parse("/api/v1/namespaces/db/pods")!, pod)["metadata"]!["uid"]!.GetValue<string>();
        }

        static List<JsonObject> Reservations(FakeKubeApiServer api) =>
            api.Store.List(KubeRoute.Parse("/apis/cdd.io/v1/ipreservations")!, LabelSelector.Parse("")).Items;

        static AgentRequest Request(string verb, string? container, string? pod, string? uid, List<string>? addresses = null) => new()
        {
            Verb = verb, Pool = "mysql", Network = "mysql-macvlan", ContainerId = container, IfName = container is null ? null : "eth0",
            PodNamespace = pod is null ? null : "db", PodName = pod, PodUid = uid, Addresses = addresses,
        };

        static AgentResponse Call(string socket, AgentRequest r) => AgentClient.Call(socket, r, TimeSpan.FromSeconds(20));

        static bool Answers(string socket)
        {
            try
            {
                Call(socket, new AgentRequest { Verb = "STATUS", Pool = "mysql", Network = "probe" });
                return true;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Cdd.Cni.Spec.CniException)
            {
                return false;
            }
        }
    }

    RoleGrants Agent(ManifestTree tree) => RoleGrants.For(tree, "cdd-system", "cdd-ipamd");

    [Fact]
    public void The_agents_role_grants_exactly_what_the_agent_does()
    {
        Assert.Contains(new ApiUse("create", "cdd.io", "ipreservations"), _run.Uses);
        AssertNone(Agent(Tree).Diff(_run.Uses));
    }

    [Fact]
    public void Dropping_a_verb_the_agent_uses_fails()
    {
        var mutated = RoleGrants.WithVerb(Tree, "cdd-ipamd", "ipreservations", "create", present: false);
        Assert.Contains("missing: the component does create cdd.io/ipreservations, which its role does not grant", Agent(mutated).Diff(_run.Uses));
    }

    [Fact]
    public void A_verb_the_agent_never_uses_fails()
    {
        var mutated = RoleGrants.WithVerb(Tree, "cdd-ipamd", "ippools", "update", present: true);
        Assert.Contains(Agent(mutated).Diff(_run.Uses), p => p.StartsWith("unused: update cdd.io/ippools", StringComparison.Ordinal));
    }
}

using System.CommandLine;
using Cdd.Operator.Members;
using Cdd.Operator.Primary;

namespace Cdd.Operator.Reconcile;

/// <summary>
/// <c>cdd-operator run [--kubeconfig PATH] [--resync SECONDS] [--leader-elect-namespace NS] [--mysql-schema S]
/// [--primary-poll SECONDS]</c>: the reconciler, the primary watcher and the promoter until SIGINT/SIGTERM.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig to use; the pod's service account when omitted" };
        var resync = new Option<int>("--resync") { Description = "seconds between full resyncs of the MySQLCluster list", DefaultValueFactory = _ => 10 };
        var leaseNs = new Option<string?>("--leader-elect-namespace") { Description = "namespace of the Lease \"cdd-operator\": only its holder reconciles (omit to run without leader election)" };
        var schema = new Option<string>("--mysql-schema") { Description = "schema holding replication_group_members", DefaultValueFactory = _ => GroupMembersReader.DefaultSchema };
        var poll = new Option<double>("--primary-poll") { Description = "seconds between reads of each cluster's replication_group_members", DefaultValueFactory = _ => 1 };
        var cmd = new Command("run", "Reconcile MySQLCluster resources: place members, keep their pods, PVCs, addresses and Services converged, follow and move the primary.");
        cmd.Options.Add(kubeconfig);
        cmd.Options.Add(resync);
        cmd.Options.Add(leaseNs);
        cmd.Options.Add(schema);
        cmd.Options.Add(poll);
        cmd.SetAction(async (parse, ct) =>
        {
            int seconds = parse.GetValue(resync);
            if (seconds <= 0)
            {
                Console.Error.WriteLine("cdd-operator run: --resync must be a positive number of seconds");
                return 2;
            }
            double pollSeconds = parse.GetValue(poll);
            if (!(pollSeconds is >= 0.1 and <= 60))
            {
                Console.Error.WriteLine("cdd-operator run: --primary-poll must be between 0.1 and 60 seconds");
                return 2;
            }
            string mysqlSchema = parse.GetValue(schema)!;
            if (mysqlSchema.Length is 0 or > 64)
            {
                Console.Error.WriteLine("cdd-operator run: --mysql-schema must be a schema name of 1 to 64 characters");
                return 2;
            }
            k8s.IKubernetes client;
            try
            {
                client = OperatorClient.Create(parse.GetValue(kubeconfig));
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or k8s.Exceptions.KubeConfigException)
            {
                Console.Error.WriteLine($"cdd-operator run: {e.Message}");
                return 2;
            }
            using var _ = client;
            var options = new PrimaryWatcherOptions { Schema = mysqlSchema, PollInterval = TimeSpan.FromSeconds(pollSeconds) };
            var (controller, tracker, addresses) = Wire(client, options, TimeSpan.FromSeconds(seconds), Console.Error);
            await using var __ = addresses;
            var watcher = new ClusterWatcher(client, controller.Notify, TimeSpan.FromSeconds(1), options.Time, Console.Error);
            Task Work(CancellationToken t) => Task.WhenAll(controller.RunAsync(t), watcher.RunAsync(t), tracker.Watcher.RunAsync(t));
            if (parse.GetValue(leaseNs) is not { } ns)
            {
                await Work(ct);
                return 0;
            }
            string identity = $"{Environment.MachineName}-{Environment.ProcessId}";
            await LeaderGate.RunWhileLeadingAsync(client, ns, identity, Work, ct);
            if (ct.IsCancellationRequested) return 0;
            Console.Error.WriteLine($"cdd-operator run: {identity} lost the lease {ns}/{LeaderGate.LeaseName}; exiting to campaign again after the restart");
            return 1;
        });
        return cmd;
    }

    /// <summary>
    /// The operator's parts joined as `run` joins them: the reconciler binds addresses through
    /// <see cref="KubeMemberAddresses"/>, tracks primaries with a <see cref="PrimaryTracker"/> whose changes queue the
    /// cluster in the controller, moves a primary with the <see cref="MySqlPrimaryPromoter"/> over the tracker's
    /// endpoints and rolls seeds and weights out with <see cref="MySqlMemberSettings"/>. Tests wire the same way,
    /// mapping member addresses to a local server.
    /// </summary>
    public static (ClusterController Controller, PrimaryTracker Tracker, KubeMemberAddresses Addresses) Wire(
        k8s.IKubernetes client, PrimaryWatcherOptions options, TimeSpan resync, TextWriter log,
        Func<System.Net.IPAddress, MySqlConnector.MySqlConnectionStringBuilder>? endpointOf = null, TimeProvider? time = null)
    {
        var clock = time ?? options.Time;
        options = options with { Time = clock };
        var connections = new MemberConnections(client, endpointOf);
        var tracker = new PrimaryTracker(client, connections, options);
        var addresses = new KubeMemberAddresses(client);
        var promoter = new MySqlPrimaryPromoter(tracker.EndpointsAsync, options);
        var reconciler = new MySqlClusterReconciler(client, promoter, addresses, tracker, new MySqlMemberSettings(connections), clock);
        var controller = new ClusterController(reconciler, clock, Backoff.Default, resync, log);
        tracker.Changed = controller.Notify;
        return (controller, tracker, addresses);
    }
}

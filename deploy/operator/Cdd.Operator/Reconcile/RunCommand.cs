using System.CommandLine;

namespace Cdd.Operator.Reconcile;

/// <summary><c>cdd-operator run [--kubeconfig PATH] [--resync SECONDS]</c>: the reconciler until SIGINT/SIGTERM.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig to use; the pod's service account when omitted" };
        var resync = new Option<int>("--resync") { Description = "seconds between full resyncs of the MySQLCluster list", DefaultValueFactory = _ => 10 };
        var leaseNs = new Option<string?>("--leader-elect-namespace") { Description = "namespace of the Lease \"cdd-operator\": only its holder reconciles (omit to run without leader election)" };
        var cmd = new Command("run", "Reconcile MySQLCluster resources: place members and keep their pods, PVCs and Services converged.");
        cmd.Options.Add(kubeconfig);
        cmd.Options.Add(resync);
        cmd.Options.Add(leaseNs);
        cmd.SetAction(async (parse, ct) =>
        {
            int seconds = parse.GetValue(resync);
            if (seconds <= 0)
            {
                Console.Error.WriteLine("cdd-operator run: --resync must be a positive number of seconds");
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
            var controller = new ClusterController(new MySqlClusterReconciler(client), TimeProvider.System, Backoff.Default, TimeSpan.FromSeconds(seconds), Console.Error);
            var watcher = new ClusterWatcher(client, controller.Notify, TimeSpan.FromSeconds(1), Console.Error);
            Task Work(CancellationToken t) => Task.WhenAll(controller.RunAsync(t), watcher.RunAsync(t));
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
}

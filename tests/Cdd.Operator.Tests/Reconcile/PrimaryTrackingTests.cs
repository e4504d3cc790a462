using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile;
using Cdd.Operator.Tests.Primary;
using MySqlConnector;

namespace Cdd.Operator.Tests.Reconcile;

/// <summary>
/// The operator wired as `cdd-operator run` wires it (<see cref="RunCommand.Wire"/>: reconciler, member addresses,
/// primary tracker, SQL promoter, controller), against the in-process API server and a real MariaDB server standing in
/// for the members' MySQL. MySQL with Group Replication is not installable on these machines: every member's fixed
/// address is mapped to the one private mariadbd, whose test schema holds a plain <c>replication_group_members</c> table
/// with performance_schema's columns (rows keyed by the members' bound addresses, as report_host makes them) and a
/// stored function named <c>group_replication_set_as_primary</c> standing in for MySQL's loadable function (MariaDB
/// resolves the unqualified call to the connection's default database). Resync is an hour, so every status change
/// below comes from the watcher's notification, not from a periodic pass. Waits are generous and assert no speed; the
/// time from a role change to the status is printed. The role change moving the label and status, and the over-loaded
/// primary host handing its role over, run on real MGR now (tests/Cdd.Operator.Tests/Mgr: FailoverTests,
/// PrimaryRoleTests); what stays here needs no group at all.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Root)]
public sealed class PrimaryTrackingTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    sealed class Running : IAsyncDisposable
    {
        public required ReconcileFixture F { get; init; }
        public required string Schema { get; init; }
        public required ClusterController Controller { get; init; }
        public required PrimaryTracker Tracker { get; init; }
        public required KubeMemberAddresses Addresses { get; init; }
        public required CancellationTokenSource Stop { get; init; }
        public required Task Loops { get; init; }
        public required StringWriter Log { get; init; }

        public async ValueTask DisposeAsync()
        {
            Stop.Cancel();
            await Loops;
            await Addresses.DisposeAsync();
            F.Dispose();
        }
    }

    async Task<Running> StartAsync(string cluster, bool credentials = true)
    {
        var f = new ReconcileFixture();
        for (int i = 1; i <= 4; i++) f.AddNode($"node-{i}", zone: $"z{(i - 1) % 3 + 1}");
        if (credentials) f.AddCredentials(cluster, "root", "");
        string schema = db.Server.CreateGroupSchema();
        db.Server.Execute($"""
            CREATE FUNCTION `{schema}`.group_replication_set_as_primary(id CHAR(36)) RETURNS VARCHAR(100)
            MODIFIES SQL DATA
            BEGIN
              UPDATE `{schema}`.replication_group_members SET MEMBER_ROLE = IF(MEMBER_ID = id, 'PRIMARY', 'SECONDARY');
              RETURN CONCAT('Primary server switched to: ', id);
            END
            """);
        var log = new StringWriter();
        var options = new PrimaryWatcherOptions { Schema = schema, PollInterval = TimeSpan.FromMilliseconds(200) };
        var (controller, tracker, addresses) = RunCommand.Wire(f.NewClient(), options, TimeSpan.FromHours(1), TextWriter.Synchronized(log),
            endpointOf: _ => new MySqlConnectionStringBuilder { Server = "127.0.0.1", Port = (uint)db.Server.Port, Database = schema });
        f.CreateCluster(cluster, 3);
        var stop = new CancellationTokenSource();
        var loops = Task.WhenAll(controller.RunAsync(stop.Token), tracker.Watcher.RunAsync(stop.Token));
        return new Running { F = f, Schema = schema, Controller = controller, Tracker = tracker, Addresses = addresses, Stop = stop, Loops = loops, Log = log };
    }

    static async Task Eventually(Func<bool> condition, string what, Running r)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"not within 60 s: {what}; last primary observation: {r.Tracker.Watcher.LastReported($"{ReconcileFixture.Ns}/orders")}; status: {r.F.Cluster("orders")?["status"]?.ToJsonString()}; operator log:\n{r.Log}");
            await Task.Delay(50);
        }
    }


    static JsonObject? Condition(ReconcileFixture f, string cluster, string type) =>
        f.Cluster(cluster)?["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(c => c["type"]!.GetValue<string>() == type);

    [Fact]
    public async Task Without_the_credentials_secret_the_status_says_the_primary_is_not_tracked_and_names_no_value()
    {
        await using var r = await StartAsync("orders", credentials: false);
        await Eventually(() => Condition(r.F, "orders", "PrimaryTracked") is not null, "a PrimaryTracked condition", r);
        var tracked = Condition(r.F, "orders", "PrimaryTracked")!;
        Assert.Equal("False", tracked["status"]!.GetValue<string>());
        Assert.Equal("CredentialsUnavailable", tracked["reason"]!.GetValue<string>());
        Assert.Contains("db/orders-credentials", tracked["message"]!.GetValue<string>());

        // Once the Secret exists, the next pass tracks the group.
        r.F.AddCredentials("orders", "root", "");
        r.Controller.Notify((ReconcileFixture.Ns, "orders"));
        await Eventually(() => Condition(r.F, "orders", "PrimaryTracked")?["status"]?.GetValue<string>() == "True", "PrimaryTracked true after the Secret appears", r);
    }
}

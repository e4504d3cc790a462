using System.Diagnostics;
using System.Text.Json.Nodes;
using Cdd.Operator.Members;
using Cdd.Operator.Model;
using Cdd.Operator.Primary;
using Cdd.Operator.Reconcile;
using Cdd.Operator.Tests.Primary;
using MySqlConnector;
using Xunit.Abstractions;

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
/// time from a role change to the status is printed.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Root)]
public sealed class PrimaryTrackingTests(MariaDbFixture db, ITestOutputHelper output) : IClassFixture<MariaDbFixture>
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

    static string? StatusPrimary(ReconcileFixture f, string cluster) => f.Cluster(cluster)?["status"]?["primary"]?.GetValue<string>();

    static JsonObject? Condition(ReconcileFixture f, string cluster, string type) =>
        f.Cluster(cluster)?["status"]?["conditions"]?.AsArray().OfType<JsonObject>().FirstOrDefault(c => c["type"]!.GetValue<string>() == type);

    /// <summary>Waits until every member has its pod and bound address, then fills the group table with orders-0 as primary.</summary>
    async Task<Dictionary<string, string>> SeedGroupAsync(Running r, string cluster)
    {
        await Eventually(() => r.F.Pods().Count == 3 && Enumerable.Range(0, 3).All(i => r.F.BoundAddress($"{cluster}-{i}") is not null), "three member pods with bound addresses", r);
        var ips = Enumerable.Range(0, 3).ToDictionary(i => $"{cluster}-{i}", i => r.F.BoundAddress($"{cluster}-{i}")!);
        foreach (var (pod, ip) in ips) db.Server.AddMember(r.Schema, ip, "ONLINE", pod == $"{cluster}-0" ? "PRIMARY" : "SECONDARY");
        await Eventually(() => r.F.Pod($"{cluster}-0").Label(MemberNames.RoleLabel) == "primary"
            && StatusPrimary(r.F, cluster) == r.F.Pod($"{cluster}-0").NodeName(), "orders-0 labelled primary and in the status", r);
        return ips;
    }

    [Fact]
    public async Task A_role_change_in_the_group_moves_the_primary_label_and_the_status_without_a_resync()
    {
        await using var r = await StartAsync("orders");
        var ips = await SeedGroupAsync(r, "orders");
        var tracked = Condition(r.F, "orders", "PrimaryTracked")!;
        Assert.Equal("True", tracked["status"]!.GetValue<string>());

        var clock = Stopwatch.StartNew();
        db.Server.Execute($"UPDATE `{r.Schema}`.replication_group_members SET MEMBER_ROLE = IF(MEMBER_HOST = '{ips["orders-2"]}', 'PRIMARY', 'SECONDARY')");
        string newNode = r.F.Pod("orders-2").NodeName();
        await Eventually(() => StatusPrimary(r.F, "orders") == newNode, "status.primary = the node of orders-2", r);
        output.WriteLine($"role change in the group -> status.primary updated after {clock.ElapsedMilliseconds} ms (poll 200 ms)");

        Assert.Equal("primary", r.F.Pod("orders-2").Label(MemberNames.RoleLabel));
        Assert.Null(r.F.Pod("orders-0").Label(MemberNames.RoleLabel));
        Assert.Null(r.F.Pod("orders-1").Label(MemberNames.RoleLabel));
        var members = r.F.Cluster("orders")!["status"]!["members"]!.AsArray();
        Assert.Equal("PRIMARY", members.Single(m => m!["name"]!.GetValue<string>() == "orders-2")!["role"]!.GetValue<string>());
        Assert.Equal(ips["orders-2"], members.Single(m => m!["name"]!.GetValue<string>() == "orders-2")!["ip"]!.GetValue<string>());
        Assert.All(members, m => Assert.Equal("ONLINE", m!["state"]!.GetValue<string>()));

        // A member falling back to RECOVERING shows in the status, also without a resync.
        db.Server.Execute($"UPDATE `{r.Schema}`.replication_group_members SET MEMBER_STATE = 'RECOVERING' WHERE MEMBER_HOST = '{ips["orders-1"]}'");
        string? State(string pod) => r.F.Cluster("orders")!["status"]!["members"]!.AsArray()
            .Single(m => m!["name"]!.GetValue<string>() == pod)!["state"]?.GetValue<string>();
        await Eventually(() => State("orders-1") == "RECOVERING", "orders-1 RECOVERING in the status", r);
        Assert.Equal("ONLINE", State("orders-0"));
    }

    [Fact]
    public async Task An_overloaded_primary_host_makes_the_operator_promote_a_healthy_secondary_through_sql()
    {
        await using var r = await StartAsync("orders");
        var ips = await SeedGroupAsync(r, "orders");
        var nodes = r.F.Pods().ToDictionary(p => p.Name(), p => p.NodeName());

        r.F.SetPressure(nodes["orders-0"], "cpu=0.97");
        r.Controller.Notify((ReconcileFixture.Ns, "orders")); // what the next resync would do

        // The promoter called the (stand-in) function; the watcher saw the new primary; the label and status followed.
        await Eventually(() => StatusPrimary(r.F, "orders") is { } p && p != nodes["orders-0"], "status.primary moved off the overloaded host", r);
        string promoted = r.F.Pods().Single(p => p.Label(MemberNames.RoleLabel) == "primary").Name();
        Assert.NotEqual("orders-0", promoted);
        using (var conn = new MySqlConnection(db.Server.ConnectionString))
        {
            await conn.OpenAsync();
            using var cmd = new MySqlCommand($"SELECT MEMBER_HOST FROM `{r.Schema}`.replication_group_members WHERE MEMBER_ROLE = 'PRIMARY'", conn);
            Assert.Equal(ips[promoted], (string?)await cmd.ExecuteScalarAsync());
        }
        Assert.Equal(nodes, r.F.Pods().ToDictionary(p => p.Name(), p => p.NodeName())); // the role moved, no data did
        await Eventually(() => Condition(r.F, "orders", "PrimaryHostHealthy")?["status"]?.GetValue<string>() == "True", "PrimaryHostHealthy true again once the primary is on a healthy host", r);
    }

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

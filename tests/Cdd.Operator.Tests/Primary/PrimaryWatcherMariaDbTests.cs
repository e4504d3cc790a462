using Cdd.Operator.Primary;

namespace Cdd.Operator.Tests.Primary;

/// <summary>
/// The primary watcher against a real MariaDB server (Debian's mariadb-server, a private mariadbd started as root).
/// MySQL with Group Replication is not installable here, so each test creates its own schema holding a plain
/// <c>replication_group_members</c> table with the columns of MySQL's performance_schema table, fills it with the rows
/// a group would report, and points the watcher's schema setting at it (the default is performance_schema).
/// Role changes are UPDATEs of that table; the tests wait for the watcher's callback with a generous timeout and do
/// not assert how fast it came.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Root)]
public sealed class PrimaryWatcherMariaDbTests : IClassFixture<MariaDbFixture>
{
    static readonly MemberIdentity[] Members =
    [
        new("db-a-0", "10.20.0.10"),
        new("db-a-1", "10.20.1.11"),
        new("db-a-2", "10.20.2.12"),
    ];

    readonly MariaDbServer _db;

    public PrimaryWatcherMariaDbTests(MariaDbFixture fixture) => _db = fixture.Server;

    (PrimaryWatcher Watcher, RecordingSink Sink, string Schema) Start(params (string Host, string State, string Role)[] rows)
    {
        var schema = _db.CreateGroupSchema();
        foreach (var (h, s, r) in rows) _db.AddMember(schema, h, s, r);
        var sink = new RecordingSink();
        var watcher = new PrimaryWatcher(sink, new PrimaryWatcherOptions { Schema = schema, PollInterval = TimeSpan.FromMilliseconds(200) });
        watcher.Watch(new WatchedCluster("db-a", [_db.ConnectionString], Members));
        return (watcher, sink, schema);
    }

    static async Task RunWhile(PrimaryWatcher watcher, Func<Task> body)
    {
        using var cts = new CancellationTokenSource();
        var loop = watcher.RunAsync(cts.Token);
        try
        {
            await body();
        }
        finally
        {
            cts.Cancel();
            await loop;
        }
    }

    [Fact]
    public async Task The_initial_primary_is_reported_mapped_from_its_fixed_ip()
    {
        var (watcher, sink, _) = Start(("10.20.0.10", "ONLINE", "SECONDARY"), ("10.20.1.11", "ONLINE", "PRIMARY"), ("10.20.2.12", "ONLINE", "SECONDARY"));
        PrimaryObservation? seen = null;
        await RunWhile(watcher, async () =>
        {
            seen = await sink.WaitFor("db-a", o => o.Status != PrimaryStatus.Unknown, "the initial primary");
            Assert.Equal((PrimaryStatus.Known, "db-a-1"), (seen.Status, seen.Member));
            Assert.Equal("db-a-0=ONLINE,db-a-1=ONLINE,db-a-2=ONLINE", seen.States);
        });
        Assert.Equal(seen, watcher.LastReported("db-a"));
    }

    [Fact]
    public async Task After_the_primary_role_moves_the_new_primary_is_reported_once()
    {
        var (watcher, sink, schema) = Start(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"), ("db-a-2", "ONLINE", "SECONDARY"));
        await RunWhile(watcher, async () =>
        {
            Assert.Equal("db-a-0", (await sink.WaitFor("db-a", o => o.Status == PrimaryStatus.Known, "the initial primary")).Member);
            // What group_replication_set_as_primary('<uuid of db-a-2>') leaves behind; db-a-2 reports its pod name.
            _db.Execute($"UPDATE `{schema}`.replication_group_members SET MEMBER_ROLE = IF(MEMBER_HOST = 'db-a-2', 'PRIMARY', 'SECONDARY')");
            var moved = await sink.WaitFor("db-a", o => o.Member == "db-a-2", "the new primary db-a-2");
            Assert.Equal(PrimaryStatus.Known, moved.Status);
        });
        lock (sink.All)
            Assert.Equal("db-a-0,db-a-2", string.Join(",", sink.All.Select(r => r.Observation.Member)));
    }

    [Fact]
    public async Task Members_in_error_or_offline_state_are_never_chosen()
    {
        var (watcher, sink, schema) = Start(("10.20.0.10", "ERROR", "PRIMARY"), ("10.20.1.11", "OFFLINE", "PRIMARY"), ("10.20.2.12", "ONLINE", "SECONDARY"));
        await RunWhile(watcher, async () =>
        {
            var none = await sink.WaitFor("db-a", o => o.Status != PrimaryStatus.Unknown, "the first answer");
            Assert.Equal(PrimaryStatus.NoPrimary, none.Status);
            Assert.Null(none.Member);
            _db.Execute($"UPDATE `{schema}`.replication_group_members SET MEMBER_ROLE = 'PRIMARY' WHERE MEMBER_HOST = '10.20.2.12'");
            var o = await sink.WaitFor("db-a", o => o.Status == PrimaryStatus.Known, "the ONLINE primary");
            Assert.Equal("db-a-2", o.Member);
        });
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_as_unknown_and_the_watcher_keeps_running()
    {
        var sink = new RecordingSink();
        var schema = _db.CreateGroupSchema();
        _db.AddMember(schema, "10.20.0.10", "ONLINE", "PRIMARY");
        var dead = new MySqlConnector.MySqlConnectionStringBuilder(_db.ConnectionString) { Port = (uint)MariaDbServer.FreePort() }.ConnectionString;
        var watcher = new PrimaryWatcher(sink, new PrimaryWatcherOptions { Schema = schema, PollInterval = TimeSpan.FromMilliseconds(200) });
        watcher.Watch(new WatchedCluster("db-dead", [dead], Members));
        watcher.Watch(new WatchedCluster("db-a", [_db.ConnectionString], Members));
        await RunWhile(watcher, async () =>
        {
            var unknown = await sink.WaitFor("db-dead", _ => true, "the unreachable cluster");
            Assert.Equal(PrimaryStatus.Unknown, unknown.Status);
            Assert.Null(unknown.Member);
            Assert.Contains("127.0.0.1", unknown.Reason);
            // The healthy cluster is watched by the same loop all the while.
            Assert.Equal("db-a-0", (await sink.WaitFor("db-a", o => o.Status == PrimaryStatus.Known, "the healthy cluster")).Member);
        });

        // A dead first endpoint does not hide a live second one.
        var both = await watcher.ObserveAsync(new WatchedCluster("db-a", [dead, _db.ConnectionString], Members), CancellationToken.None);
        Assert.Equal((PrimaryStatus.Known, "db-a-0"), (both.Status, both.Member));
    }

    [Fact]
    public async Task A_cluster_whose_server_hangs_does_not_hold_up_the_others()
    {
        // Accepts TCP connections and never sends the MySQL handshake: the read waits for the (10 min) query timeout.
        var hang = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        hang.Start();
        var accepted = new List<System.Net.Sockets.Socket>();
        var acceptLoop = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await hang.AcceptSocketAsync()); }
            catch (Exception) { }
        });
        try
        {
            var schema = _db.CreateGroupSchema();
            _db.AddMember(schema, "10.20.0.10", "ONLINE", "PRIMARY");
            _db.AddMember(schema, "10.20.1.11", "ONLINE", "SECONDARY");
            var sink = new RecordingSink();
            var watcher = new PrimaryWatcher(sink, new PrimaryWatcherOptions { Schema = schema, PollInterval = TimeSpan.FromMilliseconds(200), QueryTimeout = TimeSpan.FromMinutes(10) });
            var hungEndpoint = new MySqlConnector.MySqlConnectionStringBuilder(_db.ConnectionString) { Port = (uint)((System.Net.IPEndPoint)hang.LocalEndpoint).Port }.ConnectionString;
            watcher.Watch(new WatchedCluster("db-hung", [hungEndpoint], Members));
            watcher.Watch(new WatchedCluster("db-a", [_db.ConnectionString], Members));
            await RunWhile(watcher, async () =>
            {
                Assert.Equal("db-a-0", (await sink.WaitFor("db-a", o => o.Status == PrimaryStatus.Known, "the initial primary")).Member);
                _db.Execute($"UPDATE `{schema}`.replication_group_members SET MEMBER_ROLE = IF(MEMBER_HOST = '10.20.1.11', 'PRIMARY', 'SECONDARY')");
                Assert.Equal("db-a-1", (await sink.WaitFor("db-a", o => o.Member == "db-a-1", "the moved primary while db-hung hangs")).Member);
            });
            lock (sink.All) Assert.DoesNotContain(sink.All, r => r.Cluster == "db-hung");
        }
        finally
        {
            hang.Stop();
            await acceptLoop;
            foreach (var s in accepted) s.Dispose();
        }
    }

    [Fact]
    public async Task The_default_schema_is_performance_schema_which_mariadb_lacks_the_table_in()
    {
        Assert.Equal("performance_schema", new PrimaryWatcherOptions().Schema);
        var watcher = new PrimaryWatcher(new RecordingSink());
        var o = await watcher.ObserveAsync(new WatchedCluster("db-a", [_db.ConnectionString], Members), CancellationToken.None);
        Assert.Equal(PrimaryStatus.Unknown, o.Status);
        Assert.Contains("replication_group_members", o.Reason);
    }
}

/// <summary>A server of its own that goes away under a running watcher.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Root)]
public sealed class PrimaryWatcherServerLossTests
{
    [Fact]
    public async Task A_server_that_stops_is_reported_as_unknown_and_dispose_removes_its_process_and_folder()
    {
        var sink = new RecordingSink();
        var members = new[] { new MemberIdentity("db-b-0", "10.30.0.10"), new MemberIdentity("db-b-1", "10.30.1.11") };
        MariaDbServer? db = new();
        try
        {
            var schema = db.CreateGroupSchema();
            db.AddMember(schema, "10.30.0.10", "ONLINE", "SECONDARY");
            db.AddMember(schema, "10.30.1.11", "ONLINE", "PRIMARY");
            var watcher = new PrimaryWatcher(sink, new PrimaryWatcherOptions { Schema = schema, PollInterval = TimeSpan.FromMilliseconds(200) });
            watcher.Watch(new WatchedCluster("db-b", [db.ConnectionString], members));
            using var cts = new CancellationTokenSource();
            var loop = watcher.RunAsync(cts.Token);
            try
            {
                Assert.Equal("db-b-1", (await sink.WaitFor("db-b", o => o.Status == PrimaryStatus.Known, "the primary")).Member);
                var (root, pid) = (db.Root, db.ProcessId);
                db.Dispose();
                db = null;
                Assert.False(Directory.Exists(root), $"{root} is left after Dispose");
                Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "mariadbd", $"mariadbd {pid} still runs after Dispose");
                var lost = await sink.WaitFor("db-b", o => o.Status == PrimaryStatus.Unknown, "the lost server");
                Assert.Null(lost.Member);
                Assert.False(string.IsNullOrEmpty(lost.Reason));
            }
            finally
            {
                cts.Cancel();
                await loop;
            }
        }
        finally
        {
            db?.Dispose();
        }
    }
}

/// <summary>One private mariadbd for the class; each test uses its own schema.</summary>
public sealed class MariaDbFixture : IDisposable
{
    public MariaDbServer Server { get; } = new();
    public void Dispose() => Server.Dispose();
}

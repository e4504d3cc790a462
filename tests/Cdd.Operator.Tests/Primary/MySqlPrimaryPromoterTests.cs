using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Primary;
using MySqlConnector;

namespace Cdd.Operator.Tests.Primary;

/// <summary>
/// The promoter against the private MariaDB of <see cref="MariaDbServer"/>. Each test has its own schema holding a plain
/// <c>replication_group_members</c> table (the watcher tests' stand-in for performance_schema's) and a stored FUNCTION
/// <c>group_replication_set_as_primary(id)</c>. That function stands in for MySQL's loadable function of the same name,
/// which MariaDB lacks: MariaDB resolves the promoter's unqualified <c>SELECT group_replication_set_as_primary(?)</c> to
/// the stored function of the connection's default database, so the endpoints name the test schema as their database.
/// The stand-in records each call in <c>set_as_primary_calls</c> and does what MGR's election leaves behind: the given
/// MEMBER_ID becomes PRIMARY, every other member SECONDARY.
/// </summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Root)]
public sealed class MySqlPrimaryPromoterTests : IClassFixture<MariaDbFixture>
{
    static readonly ClusterSpec Cluster = ClusterSpec.Parse(JsonNode.Parse("""
        {
          "metadata": { "namespace": "db", "name": "db-a", "uid": "u-1" },
          "spec": {
            "members": 3, "mysql": { "image": "mysql:8.4" }, "network": { "mode": "sriov", "pool": "p" },
            "storage": { "class": "san", "size": "1Gi" }, "resources": { "cpu": "500m", "memory": "2Gi" }
          }
        }
        """)!.AsObject());

    static readonly MemberIdentity[] Members =
    [
        new("db-a-0", "10.20.0.10"),
        new("db-a-1", "10.20.1.11"),
        new("db-a-2", "10.20.2.12"),
    ];

    readonly MariaDbServer _db;

    public MySqlPrimaryPromoterTests(MariaDbFixture fixture) => _db = fixture.Server;

    /// <summary>A schema with the rows, the call log and the stand-in function; the endpoint's default database is that schema.</summary>
    (string Schema, string Endpoint) Group(params (string Host, string State, string Role)[] rows)
    {
        var schema = _db.CreateGroupSchema();
        foreach (var (h, s, r) in rows) _db.AddMember(schema, h, s, r);
        _db.Execute($"CREATE TABLE `{schema}`.set_as_primary_calls (member_id char(36) NOT NULL)");
        _db.Execute($"""
            CREATE FUNCTION `{schema}`.group_replication_set_as_primary(p_id char(36)) RETURNS varchar(255)
              NOT DETERMINISTIC MODIFIES SQL DATA
            BEGIN
              INSERT INTO set_as_primary_calls VALUES (p_id);
              UPDATE replication_group_members SET MEMBER_ROLE = IF(MEMBER_ID = p_id, 'PRIMARY', 'SECONDARY');
              RETURN CONCAT('Primary server switched to: ', p_id);
            END
            """);
        return (schema, Endpoint(schema));
    }

    string Endpoint(string schema, int? port = null, string? user = null, string? password = null) =>
        new MySqlConnectionStringBuilder(_db.ConnectionString)
        {
            Database = schema,
            Port = (uint)(port ?? _db.Port),
            UserID = user ?? "root",
            Password = password ?? "",
        }.ConnectionString;

    static MySqlPrimaryPromoter Promoter(string schema, params string[] endpoints) =>
        new((_, _) => Task.FromResult<IReadOnlyList<string>>(endpoints), new PrimaryWatcherOptions { Schema = schema, QueryTimeout = TimeSpan.FromSeconds(5) });

    async Task<IReadOnlyList<GroupMemberRow>> Rows(string schema) =>
        await GroupMembersReader.ReadAsync(_db.ConnectionString, schema, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None);

    string Roles(IReadOnlyList<GroupMemberRow> rows) => string.Join(",", rows.OrderBy(r => r.Host, StringComparer.OrdinalIgnoreCase).Select(r => $"{r.Host}={r.State}/{r.Role}"));

    /// <summary>The MEMBER_IDs the stand-in was called with, in order.</summary>
    List<string> CallLog(string schema)
    {
        using var conn = new MySqlConnection(_db.ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT member_id FROM `{schema}`.set_as_primary_calls";
        using var reader = cmd.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read()) ids.Add(Convert.ToString(reader.GetValue(0))!);
        return ids;
    }

    int Calls(string schema) => CallLog(schema).Count;

    [Fact]
    public async Task The_role_moves_to_the_target_and_a_watcher_poll_then_reports_the_new_primary()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"), ("10.20.2.12", "ONLINE", "SECONDARY"));
        var targetId = (await Rows(schema)).Single(r => r.Host == "10.20.2.12").Id;

        await Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-2", "10.20.2.12", CancellationToken.None);

        Assert.Equal("10.20.0.10=ONLINE/SECONDARY,10.20.1.11=ONLINE/SECONDARY,10.20.2.12=ONLINE/PRIMARY", Roles(await Rows(schema)));
        Assert.Equal([targetId], CallLog(schema));
        var watcher = new PrimaryWatcher(new RecordingSink(), new PrimaryWatcherOptions { Schema = schema });
        watcher.Watch(new WatchedCluster("db-a", [endpoint], Members));
        await watcher.PollOnceAsync(CancellationToken.None);
        Assert.Equal("db-a-2", watcher.LastReported("db-a")?.Member);
    }

    [Fact]
    public async Task The_target_is_found_by_its_member_host_case_insensitively_and_by_short_name()
    {
        var (schema, endpoint) = Group(("db-a-0.db-a.db.svc", "ONLINE", "PRIMARY"), ("DB-A-1.db-a.db.svc.", "ONLINE", "SECONDARY"));
        await Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "db-a-1", CancellationToken.None);
        Assert.Equal("db-a-0.db-a.db.svc=ONLINE/SECONDARY,DB-A-1.db-a.db.svc.=ONLINE/PRIMARY", Roles(await Rows(schema)));
    }

    [Fact]
    public async Task A_target_that_is_already_the_online_primary_is_left_alone_without_a_call()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "SECONDARY"), ("10.20.1.11", "ONLINE", "PRIMARY"));
        var before = Roles(await Rows(schema));

        await Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None);
        await Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None);

        Assert.Equal(0, Calls(schema));
        Assert.Equal(before, Roles(await Rows(schema)));
    }

    [Fact]
    public async Task Promoting_twice_calls_the_function_once()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        await Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None);
        await Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None);
        Assert.Equal(1, Calls(schema));
    }

    [Theory]
    [InlineData("RECOVERING")]
    [InlineData("ERROR")]
    [InlineData("OFFLINE")]
    public async Task A_target_that_is_not_online_is_refused_and_nothing_changes(string state)
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", state, "SECONDARY"));
        var before = Roles(await Rows(schema));

        var e = await Assert.ThrowsAsync<PrimaryPromotionException>(
            () => Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None));

        Assert.Equal(PromotionFailure.NotOnline, e.Failure);
        Assert.Contains($"in state {state}", e.Message);
        Assert.Contains("nothing was changed", e.Message);
        Assert.Contains("db/db-a", e.Message);
        Assert.Contains("db-a-1 (10.20.1.11)", e.Message);
        Assert.Equal(0, Calls(schema));
        Assert.Equal(before, Roles(await Rows(schema)));
    }

    [Fact]
    public async Task An_unknown_member_host_is_refused_and_nothing_changes()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        var before = Roles(await Rows(schema));

        var e = await Assert.ThrowsAsync<PrimaryPromotionException>(
            () => Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-2", "10.20.2.12", CancellationToken.None));

        Assert.Equal(PromotionFailure.UnknownHost, e.Failure);
        Assert.Contains("10.20.2.12", e.Message);
        Assert.Contains("nothing was changed", e.Message);
        Assert.Equal(0, Calls(schema));
        Assert.Equal(before, Roles(await Rows(schema)));
    }

    [Fact]
    public async Task When_the_first_endpoint_is_unreachable_the_second_is_used()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        var closed = Endpoint(schema, port: MariaDbServer.FreePort());

        await Promoter(schema, closed, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None);

        Assert.Equal("10.20.0.10=ONLINE/SECONDARY,10.20.1.11=ONLINE/PRIMARY", Roles(await Rows(schema)));
        Assert.Equal(1, Calls(schema));
    }

    [Fact]
    public async Task A_member_whose_view_has_no_online_member_is_passed_over_for_the_next()
    {
        // Each member of a group answers with its own view. Here the table becomes a VIEW filtered on the connecting
        // user: root sees the live group, the other user sees what a member that left the group reports (only
        // itself, in ERROR). The first endpoint connects as that user, the second as root.
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        var outUser = "out_" + Guid.NewGuid().ToString("N")[..8];
        _db.Execute($"ALTER TABLE `{schema}`.replication_group_members ADD COLUMN viewer varchar(80) NOT NULL DEFAULT 'root'");
        _db.Execute($"RENAME TABLE `{schema}`.replication_group_members TO `{schema}`.members_by_viewer");
        _db.Execute($"CREATE VIEW `{schema}`.replication_group_members AS SELECT * FROM `{schema}`.members_by_viewer WHERE viewer = SUBSTRING_INDEX(USER(), '@', 1)");
        _db.Execute($"INSERT INTO `{schema}`.members_by_viewer VALUES ('group_replication_applier', UUID(), '10.20.2.12', 3306, 'ERROR', '', '8.0.40', 'XCOM', '{outUser}')");
        _db.Execute($"CREATE USER '{outUser}'@'%' IDENTIFIED BY 'x'");
        _db.Execute($"GRANT SELECT ON `{schema}`.* TO '{outUser}'@'%'");
        var outOfGroup = Endpoint(schema, user: outUser, password: "x");

        var alone = await Assert.ThrowsAsync<PrimaryPromotionException>(
            () => Promoter(schema, outOfGroup).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None));
        Assert.Equal(PromotionFailure.NoMemberAnswered, alone.Failure);
        Assert.Contains("out of the group", alone.Message);

        await Promoter(schema, outOfGroup, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None);

        Assert.Equal(1, Calls(schema));
        Assert.Equal("10.20.0.10=ONLINE/SECONDARY,10.20.1.11=ONLINE/PRIMARY", Roles(await Rows(schema)));
    }

    [Fact]
    public async Task When_every_endpoint_fails_the_error_lists_host_port_and_reason_of_each_and_nothing_changes()
    {
        var (schema, _) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        int port1 = MariaDbServer.FreePort(), port2 = MariaDbServer.FreePort();

        var e = await Assert.ThrowsAsync<PrimaryPromotionException>(
            () => Promoter(schema, Endpoint(schema, port: port1), Endpoint(schema, port: port2)).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None));

        Assert.Equal(PromotionFailure.NoMemberAnswered, e.Failure);
        Assert.Contains($"127.0.0.1:{port1}: ", e.Message);
        Assert.Contains($"127.0.0.1:{port2}: ", e.Message);
        Assert.Contains("db/db-a", e.Message);
        Assert.Contains("nothing was changed", e.Message);
        Assert.Equal(0, Calls(schema));
    }

    [Fact]
    public async Task A_refusal_by_the_server_names_the_cluster_the_target_and_the_server_message()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        // What MGR answers when, say, a group-wide configuration change is already running.
        _db.Execute($"DROP FUNCTION `{schema}`.group_replication_set_as_primary");
        _db.Execute($"""
            CREATE FUNCTION `{schema}`.group_replication_set_as_primary(p_id char(36)) RETURNS varchar(255)
              NOT DETERMINISTIC MODIFIES SQL DATA
            BEGIN
              SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'A configuration change is already running';
              RETURN 'unreached';
            END
            """);

        var e = await Assert.ThrowsAsync<PrimaryPromotionException>(
            () => Promoter(schema, endpoint).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None));

        Assert.Equal(PromotionFailure.ServerRefused, e.Failure);
        Assert.Equal(("db/db-a", "db-a-1 (10.20.1.11)"), (e.Cluster, e.Target));
        Assert.Contains("A configuration change is already running", e.Message);
        Assert.Contains($"127.0.0.1:{_db.Port}", e.Message);
        Assert.Equal("10.20.0.10=ONLINE/PRIMARY,10.20.1.11=ONLINE/SECONDARY", Roles(await Rows(schema)));
    }

    [Fact]
    public async Task A_call_that_outlasts_the_promote_timeout_reports_an_unknown_outcome()
    {
        var (schema, endpoint) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "ONLINE", "SECONDARY"));
        // MGR waiting for the old primary's long transaction.
        _db.Execute($"DROP FUNCTION `{schema}`.group_replication_set_as_primary");
        _db.Execute($"""
            CREATE FUNCTION `{schema}`.group_replication_set_as_primary(p_id char(36)) RETURNS varchar(255)
              NOT DETERMINISTIC NO SQL
            BEGIN
              DO SLEEP(60);
              RETURN 'late';
            END
            """);
        var promoter = new MySqlPrimaryPromoter((_, _) => Task.FromResult<IReadOnlyList<string>>([endpoint]),
            new PrimaryWatcherOptions { Schema = schema, QueryTimeout = TimeSpan.FromSeconds(5), PromoteTimeout = TimeSpan.FromSeconds(1) });

        var e = await Assert.ThrowsAsync<PrimaryPromotionException>(
            () => promoter.PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None));

        Assert.Equal(PromotionFailure.OutcomeUnknown, e.Failure);
        Assert.Contains("within 1 s", e.Message);
    }

    [Fact]
    public async Task The_password_never_appears_in_an_error()
    {
        const string password = "Pw-7c1f0e9a-never-shown";
        const string wrong = "Pw-wrong-3b8d-never-shown";
        var (schema, _) = Group(("10.20.0.10", "ONLINE", "PRIMARY"), ("10.20.1.11", "RECOVERING", "SECONDARY"));
        var user = "cdd_" + Guid.NewGuid().ToString("N")[..8];
        _db.Execute($"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'");
        _db.Execute($"GRANT ALL ON `{schema}`.* TO '{user}'@'%'");
        var good = Endpoint(schema, user: user, password: password);
        var closed = Endpoint(schema, port: MariaDbServer.FreePort(), user: user, password: password);
        var denied = Endpoint(schema, user: user, password: wrong);

        var errors = new List<Exception>
        {
            // Nothing answers.
            await Assert.ThrowsAsync<PrimaryPromotionException>(() => Promoter(schema, closed, denied).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None)),
            // The group answers and refuses: the target is RECOVERING.
            await Assert.ThrowsAsync<PrimaryPromotionException>(() => Promoter(schema, closed, good).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None)),
        };
        _db.Execute($"DROP FUNCTION `{schema}`.group_replication_set_as_primary");
        _db.Execute($"""
            CREATE FUNCTION `{schema}`.group_replication_set_as_primary(p_id char(36)) RETURNS varchar(255)
              NOT DETERMINISTIC NO SQL
            BEGIN
              SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'refused';
              RETURN 'unreached';
            END
            """);
        _db.Execute($"UPDATE `{schema}`.replication_group_members SET MEMBER_STATE = 'ONLINE'");
        // The server refuses the call.
        errors.Add(await Assert.ThrowsAsync<PrimaryPromotionException>(() => Promoter(schema, good).PromoteAsync(Cluster, "db-a-1", "10.20.1.11", CancellationToken.None)));

        Assert.Equal([PromotionFailure.NoMemberAnswered, PromotionFailure.NotOnline, PromotionFailure.ServerRefused],
            errors.Cast<PrimaryPromotionException>().Select(e => e.Failure));
        Assert.Contains("Access denied", errors[0].Message);
        foreach (var e in errors)
        {
            var text = e.ToString();
            Assert.DoesNotContain(password, text);
            Assert.DoesNotContain(wrong, text);
            Assert.DoesNotContain("Password=", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}

/// <summary>The decision from one member's view, without a server.</summary>
[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class PromotionDecisionTests
{
    static GroupMemberRow Row(string host, string state, string role, string id = "") => new(host, state, role, id);

    [Fact]
    public void An_online_secondary_is_promoted_by_its_member_id()
    {
        var d = PromotionDecision.Decide([Row("10.0.0.10", "ONLINE", "PRIMARY", "a"), Row("10.0.1.11", "ONLINE", "SECONDARY", "b")], "10.0.1.11");
        Assert.Equal((PromotionAction.Promote, "b"), (d.Action, d.MemberId));
    }

    [Fact]
    public void Hosts_match_as_ips_names_ignoring_case_and_trailing_dot_then_short_names()
    {
        Assert.Equal("b", PromotionDecision.Decide([Row("10.0.0.10", "ONLINE", "PRIMARY", "a"), Row("::ffff:10.0.1.11", "ONLINE", "SECONDARY", "b")], "::FFFF:10.0.1.11").MemberId);
        Assert.Equal("b", PromotionDecision.Decide([Row("db-0", "ONLINE", "PRIMARY", "a"), Row("DB-1.", "ONLINE", "SECONDARY", "b")], "db-1").MemberId);
        Assert.Equal("b", PromotionDecision.Decide([Row("db-0.x", "ONLINE", "PRIMARY", "a"), Row("db-1.x.svc", "ONLINE", "SECONDARY", "b")], "db-1").MemberId);
        // An exact match wins over a short-name match.
        Assert.Equal("c", PromotionDecision.Decide([Row("db-0", "ONLINE", "PRIMARY", "a"), Row("db-1.x", "ONLINE", "SECONDARY", "b"), Row("db-1", "ONLINE", "SECONDARY", "c")], "db-1").MemberId);
    }

    [Fact]
    public void Two_rows_matching_the_host_are_refused_as_ambiguous()
    {
        var d = PromotionDecision.Decide([Row("db-0", "ONLINE", "PRIMARY", "a"), Row("db-1.x", "ONLINE", "SECONDARY", "b"), Row("db-1.y", "ONLINE", "SECONDARY", "c")], "db-1");
        Assert.Equal((PromotionAction.Refuse, PromotionFailure.AmbiguousHost), (d.Action, d.Refusal));
    }

    [Fact]
    public void A_view_without_an_online_member_or_that_sees_the_target_unreachable_asks_another_member()
    {
        Assert.Equal(PromotionAction.AskAnother, PromotionDecision.Decide([], "db-1").Action);
        Assert.Equal(PromotionAction.AskAnother, PromotionDecision.Decide([Row("db-0", "ERROR", "", "a")], "db-1").Action);
        Assert.Equal(PromotionAction.AskAnother, PromotionDecision.Decide([Row("db-0", "ONLINE", "PRIMARY", "a"), Row("db-1", "UNREACHABLE", "SECONDARY", "b")], "db-1").Action);
    }

    [Fact]
    public void The_online_primary_needs_nothing_and_other_states_are_refused()
    {
        Assert.Equal(PromotionAction.AlreadyPrimary, PromotionDecision.Decide([Row("db-1", "online", "primary", "b")], "db-1").Action);
        var d = PromotionDecision.Decide([Row("db-0", "ONLINE", "PRIMARY", "a"), Row("db-1", "RECOVERING", "SECONDARY", "b")], "db-1");
        Assert.Equal((PromotionAction.Refuse, PromotionFailure.NotOnline), (d.Action, d.Refusal));
        Assert.Contains("RECOVERING", d.Reason);
    }
}

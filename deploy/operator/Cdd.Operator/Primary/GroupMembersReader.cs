using MySqlConnector;

namespace Cdd.Operator.Primary;

/// <summary>Reads MEMBER_ID, MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE from <c>&lt;schema&gt;.replication_group_members</c> over MySqlConnector.</summary>
internal static class GroupMembersReader
{
    public const string DefaultSchema = "performance_schema";

    /// <summary>The query for <paramref name="schema"/>, the schema quoted as an identifier (backticks doubled).</summary>
    public static string Query(string schema)
    {
        string s = schema.Replace("`", "``");
        return "SELECT m.MEMBER_ID, m.MEMBER_HOST, m.MEMBER_STATE, m.MEMBER_ROLE, m.MEMBER_VERSION, st.COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE " +
            $"FROM `{s}`.replication_group_members m LEFT JOIN `{s}`.replication_group_member_stats st ON st.MEMBER_ID = m.MEMBER_ID";
    }

    /// <summary>
    /// Connects, queries and closes. Gives up after twice <paramref name="timeout"/> or on <paramref name="ct"/> even if
    /// the driver is still waiting on a server that accepted the connection and never answered; both limits run on <paramref name="time"/>.
    /// </summary>
    public static Task<IReadOnlyList<GroupMemberRow>> ReadAsync(string connectionString, string schema, TimeSpan timeout, TimeProvider time, CancellationToken ct) =>
        ReadCoreAsync(connectionString, schema, timeout, time, ct).WaitAsync(timeout + timeout, time, ct);

    static async Task<IReadOnlyList<GroupMemberRow>> ReadCoreAsync(string connectionString, string schema, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout + timeout, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        await using var conn = await OpenAsync(connectionString, timeout, cts.Token);
        return await ReadAsync(conn, schema, cts.Token);
    }

    /// <summary>
    /// An open connection whose connect and default command timeouts are <paramref name="timeout"/> (at least 1 s).
    /// MEMBER_ID is char(36), which MySqlConnector would read as a Guid by default: GuidFormat=None keeps it the
    /// server's text, passed back unchanged to group_replication_set_as_primary.
    /// </summary>
    public static async Task<MySqlConnection> OpenAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        uint seconds = (uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
        var csb = new MySqlConnectionStringBuilder(connectionString) { ConnectionTimeout = seconds, DefaultCommandTimeout = seconds, GuidFormat = MySqlGuidFormat.None };
        var conn = new MySqlConnection(csb.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The newest Group Replication errors a member logged (<c>performance_schema.error_log</c>, PRIO Error, SUBSYSTEM Repl).
    /// </summary>
    public const string LastErrorQuery =
        "SELECT LOGGED, ERROR_CODE, DATA FROM performance_schema.error_log WHERE PRIO = 'Error' AND SUBSYSTEM = 'Repl' ORDER BY LOGGED DESC LIMIT 8";

    /// <summary>How much of a member's last errors the status carries.</summary>
    public const int LastErrorLength = 1000;

    /// <summary>Errors logged this close to the newest belong to the same failure (the cause and its consequences).</summary>
    public static readonly TimeSpan ErrorBurst = TimeSpan.FromSeconds(10);

    /// <summary>The rows of the table on an open connection; a member reporting itself in ERROR gets its last errors.</summary>
    public static async Task<IReadOnlyList<GroupMemberRow>> ReadAsync(MySqlConnection conn, string schema, CancellationToken ct)
    {
        var rows = await RowsAsync(conn, schema, ct);
        // After the rows' reader is closed: a connection runs one command at a time.
        if (!PrimaryMapping.IsGroupView(rows) && rows.Count == 1 && PrimaryMapping.Is(rows[0].State, "ERROR"))
            rows[0] = rows[0] with { LastError = await LastErrorAsync(conn, ct) };
        return rows;
    }

    static async Task<List<GroupMemberRow>> RowsAsync(MySqlConnection conn, string schema, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = Query(schema);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<GroupMemberRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new GroupMemberRow(
                reader.IsDBNull(1) ? "" : reader.GetString(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3) ? "" : reader.GetString(3),
                reader.IsDBNull(0) ? "" : reader.GetString(0))
            {
                Version = reader.IsDBNull(4) ? "" : reader.GetString(4),
                ApplierQueue = reader.IsDBNull(5) ? null : Convert.ToInt64(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        return rows;
    }

    /// <summary>
    /// The errors of the member's last failure as one line, oldest first (<c>MY-010584: ...Duplicate entry...; MY-011452:
    /// ...will now leave the group</c>), so the cause leads and survives the cut at <see cref="LastErrorLength"/>
    /// characters; null when the member logged none, or the table cannot be read (no SELECT on it, a server without
    /// it): the member's ERROR state is reported all the same.
    /// </summary>
    static async Task<string?> LastErrorAsync(MySqlConnection conn, CancellationToken ct)
    {
        var errors = new List<(DateTime Logged, string Text)>();
        try
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = LastErrorQuery;
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                DateTime logged = reader.IsDBNull(0) ? DateTime.MinValue : reader.GetDateTime(0);
                string code = reader.IsDBNull(1) ? "" : reader.GetString(1), data = reader.IsDBNull(2) ? "" : reader.GetString(2);
                errors.Add((logged, string.Join(' ', $"{code}: {data}".Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))));
            }
        }
        catch (MySqlException)
        {
            return null;
        }
        return LastFailure(errors);
    }

    /// <summary>Pure: the newest errors within <see cref="ErrorBurst"/> of the newest, oldest first, joined and cut.</summary>
    internal static string? LastFailure(IReadOnlyList<(DateTime Logged, string Text)> newestFirst)
    {
        if (newestFirst.Count == 0) return null;
        DateTime newest = newestFirst[0].Logged;
        var burst = newestFirst.TakeWhile(e => newest - e.Logged <= ErrorBurst).Reverse().Select(e => e.Text);
        string text = string.Join("; ", burst);
        return text.Length <= LastErrorLength ? text : text[..(LastErrorLength - 1)] + "…";
    }

    /// <summary>
    /// <c>host:port</c> of a connection string, for error messages: never the string itself, which holds the password.
    /// </summary>
    public static string HostPort(string connectionString)
    {
        try
        {
            var csb = new MySqlConnectionStringBuilder(connectionString);
            return $"{csb.Server}:{csb.Port}";
        }
        catch (Exception)
        {
            return "endpoint";
        }
    }
}

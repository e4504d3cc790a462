using MySqlConnector;

namespace Cdd.Operator.Primary;

/// <summary>Reads MEMBER_ID, MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE from <c>&lt;schema&gt;.replication_group_members</c> over MySqlConnector.</summary>
internal static class GroupMembersReader
{
    public const string DefaultSchema = "performance_schema";

    /// <summary>The query for <paramref name="schema"/>, the schema quoted as an identifier (backticks doubled).</summary>
    public static string Query(string schema) =>
        $"SELECT MEMBER_ID, MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE FROM `{schema.Replace("`", "``")}`.replication_group_members";

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

    /// <summary>The rows of the table on an open connection.</summary>
    public static async Task<IReadOnlyList<GroupMemberRow>> ReadAsync(MySqlConnection conn, string schema, CancellationToken ct)
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
                reader.IsDBNull(0) ? "" : reader.GetString(0)));
        }
        return rows;
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

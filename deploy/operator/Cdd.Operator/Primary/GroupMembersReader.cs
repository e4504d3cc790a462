using MySqlConnector;

namespace Cdd.Operator.Primary;

/// <summary>Reads MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE from <c>&lt;schema&gt;.replication_group_members</c> over MySqlConnector.</summary>
public static class GroupMembersReader
{
    public const string DefaultSchema = "performance_schema";

    /// <summary>The query for <paramref name="schema"/>, the schema quoted as an identifier (backticks doubled).</summary>
    public static string Query(string schema) =>
        $"SELECT MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE FROM `{schema.Replace("`", "``")}`.replication_group_members";

    /// <summary>
    /// Connects, queries and closes. Gives up after twice <paramref name="timeout"/> or on <paramref name="ct"/> even if
    /// the driver is still waiting on a server that accepted the connection and never answered.
    /// </summary>
    public static Task<IReadOnlyList<GroupMemberRow>> ReadAsync(string connectionString, string schema, TimeSpan timeout, CancellationToken ct) =>
        ReadCoreAsync(connectionString, schema, timeout, ct).WaitAsync(timeout + timeout, ct);

    static async Task<IReadOnlyList<GroupMemberRow>> ReadCoreAsync(string connectionString, string schema, TimeSpan timeout, CancellationToken ct)
    {
        var csb = new MySqlConnectionStringBuilder(connectionString)
        {
            ConnectionTimeout = (uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)),
            DefaultCommandTimeout = (uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)),
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout + timeout);
        await using var conn = new MySqlConnection(csb.ConnectionString);
        await conn.OpenAsync(cts.Token);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = Query(schema);
        await using var reader = await cmd.ExecuteReaderAsync(cts.Token);
        var rows = new List<GroupMemberRow>();
        while (await reader.ReadAsync(cts.Token))
        {
            rows.Add(new GroupMemberRow(
                reader.IsDBNull(0) ? "" : reader.GetString(0),
                reader.IsDBNull(1) ? "" : reader.GetString(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2)));
        }
        return rows;
    }
}

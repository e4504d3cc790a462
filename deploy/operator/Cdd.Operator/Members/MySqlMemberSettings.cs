using System.Net;
using Cdd.Operator.Model;
using MySqlConnector;

namespace Cdd.Operator.Members;

/// <summary>
/// <see cref="IMemberSettings"/> over MySqlConnector: one connection to the member's own server (settings are per
/// server) and <c>SET PERSIST name = value</c> per setting, so a restart keeps them. Only the variables in
/// <see cref="Dynamic"/> are accepted; values are sent as parameters, never pasted into the SQL.
/// </summary>
internal sealed class MySqlMemberSettings(MemberConnections connections, TimeSpan? timeout = null) : IMemberSettings
{
    public static readonly IReadOnlySet<string> Dynamic = new HashSet<string>(StringComparer.Ordinal)
    {
        "group_replication_group_seeds", "group_replication_member_weight",
    };

    readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(10);

    public string? Unavailable => null;

    /// <summary>The statement for one setting: the name checked against <see cref="Dynamic"/>, the value a parameter.</summary>
    public static string Statement(string name) =>
        Dynamic.Contains(name) ? $"SET PERSIST {name} = @value" : throw new ArgumentException($"{name} is not a setting cdd-operator changes on a running member", nameof(name));

    public async Task ApplyAsync(ClusterSpec spec, string member, IPAddress address, IReadOnlyList<(string Name, string Value)> settings, CancellationToken ct)
    {
        var (endpoints, problem) = await connections.ForAsync(spec, [address], ct);
        if (problem is not null) throw new MemberSettingsException($"{spec.Key} member {member}: {problem}");
        var csb = new MySqlConnectionStringBuilder(endpoints[0])
        {
            ConnectionTimeout = (uint)Math.Max(1, Math.Ceiling(_timeout.TotalSeconds)),
            DefaultCommandTimeout = (uint)Math.Max(1, Math.Ceiling(_timeout.TotalSeconds)),
        };
        string current = "connect";
        try
        {
            await using var conn = new MySqlConnection(csb.ConnectionString);
            await conn.OpenAsync(ct);
            foreach (var (name, value) in settings)
            {
                current = name;
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = Statement(name);
                cmd.Parameters.AddWithValue("@value", value);
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        catch (MySqlException e)
        {
            throw new MemberSettingsException($"{spec.Key} member {member} at {address}: {(current == "connect" ? "connecting" : $"setting {current}")} failed: {e.Message}", e);
        }
    }
}

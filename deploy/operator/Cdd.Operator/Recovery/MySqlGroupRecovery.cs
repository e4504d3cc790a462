using Cdd.Operator.Members;
using Cdd.Operator.Model;
using MySqlConnector;

namespace Cdd.Operator.Recovery;

/// <summary>
/// <see cref="IGroupRecovery"/> over MySqlConnector, one connection per member's own server (the cluster's credentials
/// Secret, read on every call). Reads: the member's own MEMBER_STATE (OFFLINE when it lists no row for itself), how many
/// members its view shows ONLINE, and <c>@@GLOBAL.gtid_executed</c> united with the group_replication_applier channel's
/// RECEIVED_TRANSACTION_SET. The account needs SELECT on performance_schema.replication_group_members and
/// replication_connection_status, GROUP_REPLICATION_ADMIN and SYSTEM_VARIABLES_ADMIN (deploy/manifests/samples/mysqlcluster.yaml).
/// </summary>
internal sealed class MySqlGroupRecovery(MemberConnections connections, TimeSpan? timeout = null) : IGroupRecovery
{
    readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(10);
    /// <summary>START GROUP_REPLICATION waits for the member to join (distributed recovery runs after): minutes, not seconds.</summary>
    static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>How long a forced membership may take to show in the member's view before the attempt is reported as failed.</summary>
    static readonly TimeSpan ForceWait = TimeSpan.FromSeconds(45);

    public string? Unavailable => null;

    async Task<IReadOnlyList<string>> EndpointsAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, CancellationToken ct)
    {
        var (endpoints, problem) = await connections.ForAsync(spec, members.Select(m => m.Address), ct);
        return problem is null ? endpoints : throw new GroupRecoveryException($"{spec.Key}: {problem}");
    }

    async Task<MySqlConnection> OpenAsync(string endpoint, TimeSpan commandTimeout, CancellationToken ct)
    {
        uint seconds = (uint)Math.Max(1, Math.Ceiling(_timeout.TotalSeconds));
        var csb = new MySqlConnectionStringBuilder(endpoint)
        {
            ConnectionTimeout = seconds, DefaultCommandTimeout = (uint)Math.Ceiling(commandTimeout.TotalSeconds), GuidFormat = MySqlGuidFormat.None,
        };
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

    public async Task<IReadOnlyList<MemberFacts>> ReadAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, CancellationToken ct)
    {
        var endpoints = await EndpointsAsync(spec, members, ct);
        var reads = members.Select((m, i) => ReadOneAsync(m.Pod, endpoints[i], ct)).ToList();
        return await Task.WhenAll(reads);
    }

    async Task<MemberFacts> ReadOneAsync(string pod, string endpoint, CancellationToken ct)
    {
        try
        {
            await using var conn = await OpenAsync(endpoint, _timeout, ct);
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                SELECT
                  (SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid),
                  (SELECT COUNT(*) FROM performance_schema.replication_group_members WHERE MEMBER_STATE = 'ONLINE'),
                  (SELECT COUNT(*) FROM performance_schema.replication_group_members),
                  @@GLOBAL.gtid_executed,
                  (SELECT RECEIVED_TRANSACTION_SET FROM performance_schema.replication_connection_status WHERE CHANNEL_NAME = 'group_replication_applier')
                """;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            string state = r.IsDBNull(0) ? "OFFLINE" : r.GetString(0);
            int online = Convert.ToInt32(r.GetValue(1)), viewed = Convert.ToInt32(r.GetValue(2));
            var executed = GtidSet.Parse(r.IsDBNull(3) ? "" : r.GetString(3));
            var received = r.IsDBNull(4) ? GtidSet.Empty : GtidSet.Parse(r.GetString(4));
            // A member whose group replication is stopped lists itself OFFLINE (or nothing): it sees nobody ONLINE.
            if (state != "ONLINE") online = 0;
            return new MemberFacts(pod, true, state, online, Math.Max(viewed, 1), executed.Union(received));
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or FormatException or InvalidOperationException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new MemberFacts(pod, false, "", 0, 0, GtidSet.Empty, e.Message);
        }
    }

    public async Task RebootAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, string from, CancellationToken ct)
    {
        var endpoints = await EndpointsAsync(spec, members, ct);
        int f = members.ToList().FindIndex(m => m.Pod == from);
        if (f < 0) throw new ArgumentException($"{from} is not a member of {spec.Key}", nameof(from));
        await RunAsync(from, endpoints[f], ct,
            "STOP GROUP_REPLICATION",
            "SET GLOBAL group_replication_bootstrap_group = ON",
            "START GROUP_REPLICATION",
            "SET GLOBAL group_replication_bootstrap_group = OFF");
        Console.Error.WriteLine($"cdd-operator: {spec.Key}: group bootstrapped on {from} after a complete outage");
        var joins = members.Select((m, i) => (m, i)).Where(x => x.i != f)
            .Select(x => RunAsync(x.m.Pod, endpoints[x.i], ct, "STOP GROUP_REPLICATION", "START GROUP_REPLICATION")).ToList();
        var errors = new List<string>();
        foreach (var j in joins)
        {
            try { await j; }
            catch (GroupRecoveryException e) { errors.Add(e.Message); }
        }
        if (errors.Count > 0)
            throw new GroupRecoveryException($"{spec.Key}: bootstrapped on {from}, but not every member joined: {string.Join("; ", errors)}");
    }

    public async Task<string> ForceQuorumAsync(ClusterSpec spec, IReadOnlyList<RecoveryMember> members, string from, CancellationToken ct)
    {
        var endpoints = await EndpointsAsync(spec, members, ct);
        int f = members.ToList().FindIndex(m => m.Pod == from);
        if (f < 0) throw new ArgumentException($"{from} is not a member of {spec.Key}", nameof(from));
        try
        {
            await using var conn = await OpenAsync(endpoints[f], StartTimeout, ct);
            var online = new List<string>();
            await using (var read = conn.CreateCommand())
            {
                read.CommandText = "SELECT MEMBER_HOST FROM performance_schema.replication_group_members WHERE MEMBER_STATE = 'ONLINE' ORDER BY MEMBER_HOST";
                await using var r = await read.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) online.Add(MemberNames.Endpoint(System.Net.IPAddress.Parse(r.GetString(0)), MemberNames.GroupPort));
            }
            if (online.Count == 0) throw new GroupRecoveryException($"{spec.Key}: {from} sees no ONLINE member; nothing was forced");
            string list = string.Join(',', online);
            await using (var force = conn.CreateCommand())
            {
                force.CommandText = "SET GLOBAL group_replication_force_members = @members";
                force.Parameters.AddWithValue("@members", list);
                await force.ExecuteNonQueryAsync(ct);
            }
            // The forced view is installed asynchronously: clear the variable only once the member's view is the
            // forced membership (clearing earlier left the group blocked on real MGR 9.7).
            var deadline = DateTime.UtcNow + ForceWait;
            while (true)
            {
                await using var view = conn.CreateCommand();
                view.CommandText = "SELECT COUNT(*) FROM performance_schema.replication_group_members";
                if (Convert.ToInt32(await view.ExecuteScalarAsync(ct)) == online.Count) break;
                if (DateTime.UtcNow > deadline)
                    throw new GroupRecoveryException($"{spec.Key}: {from} accepted group_replication_force_members = {list} but its view did not shrink to it within {ForceWait.TotalSeconds:0} s; the variable is left set, clear it with SET GLOBAL group_replication_force_members = '' once the view is forced or the missing members are back");
                await Task.Delay(500, ct);
            }
            await using (var clear = conn.CreateCommand())
            {
                clear.CommandText = "SET GLOBAL group_replication_force_members = ''";
                await clear.ExecuteNonQueryAsync(ct);
            }
            Console.Error.WriteLine($"cdd-operator: {spec.Key}: membership forced to {list} on {from}");
            return list;
        }
        catch (MySqlException e)
        {
            throw new GroupRecoveryException($"{spec.Key}: forcing the membership on {from} failed: {e.Message}", e);
        }
    }

    async Task RunAsync(string pod, string endpoint, CancellationToken ct, params string[] statements)
    {
        string current = "connect";
        try
        {
            await using var conn = await OpenAsync(endpoint, StartTimeout, ct);
            foreach (var sql in statements)
            {
                current = sql;
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = sql;
                await cmd.ExecuteNonQueryAsync(ct);
            }
        }
        catch (MySqlException e)
        {
            throw new GroupRecoveryException($"{pod}: {current} failed: {e.Message}", e);
        }
    }
}

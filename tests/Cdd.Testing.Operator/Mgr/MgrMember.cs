using System.Globalization;
using MySqlConnector;

namespace Cdd.Testing.Operator.Mgr;

/// <summary>
/// One MySQL 9.7 member: a mysqld from the sid root, run with <c>chroot</c> inside its pod's network namespace, its
/// datadir under the root (a copy of the template datadir without auto.cnf, so it gets its own server_uuid; kept
/// across restarts the way a volume is), its settings file written from the member pod's <c>--loose-…</c> args (what
/// the operator puts in the pod spec) on top of the small-footprint base of MYSQL-NOTES.md. Clients use its Unix
/// socket, which works across namespaces. Stop is SIGTERM by PID (checked to be this mysqld), SIGKILL after 20 s.
/// </summary>
public sealed class MgrMember : IDisposable
{
    public const string OperatorUser = "cdd_operator", OperatorPassword = "op-Secret-1", ReplUser = "cdd_repl", ReplPassword = "repl-Secret-1";

    readonly string _inRoot; // the member's folder as mysqld sees it (inside the chroot)
    RunningProcess? _process;

    public MgrMember(string run, string name)
    {
        Name = name;
        _inRoot = $"/srv/{run}/{name}";
        Dir = Path.Combine(MgrRoot.Path, _inRoot.TrimStart('/'));
        Directory.CreateDirectory(Dir);
    }

    public string Name { get; }
    /// <summary>The member's folder on the host (datadir, settings, socket, error log).</summary>
    public string Dir { get; }
    public string Socket => Path.Combine(Dir, "mysqld.sock");
    public string ErrorLog => Path.Combine(Dir, "error.log");
    public bool HasData => Directory.Exists(Path.Combine(Dir, "data", "mysql"));
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;
    public PodNet? Net { get; private set; }
    /// <summary>The settings file's last text (for assertions on what the member runs with).</summary>
    public string Settings { get; private set; } = "";

    /// <summary>
    /// Starts mysqld in <paramref name="net"/>'s namespace with the pod's MGR args. A fresh datadir is the template's
    /// copy. <paramref name="startOnBoot"/> null keeps the pod's group_replication_start_on_boot; false holds it OFF
    /// (the first boot of a new group, where the entrypoint bootstraps or joins explicitly).
    /// </summary>
    public void Start(PodNet net, IReadOnlyList<string> podArgs, IReadOnlyDictionary<string, string>? extra = null, bool? startOnBoot = null)
    {
        if (Pid is not null) throw new InvalidOperationException($"{Name} already runs as {Pid}");
        Net = net;
        if (!HasData)
        {
            Copy(MgrRoot.TemplateData, Path.Combine(Dir, "data"));
            File.Delete(Path.Combine(Dir, "data", "auto.cnf"));
        }
        var lines = new List<string>
        {
            "[mysqld]", "user=mysql", $"datadir={_inRoot}/data", $"socket={_inRoot}/mysqld.sock", $"pid-file={_inRoot}/mysqld.pid",
            $"log-error={_inRoot}/error.log", $"init-file={_inRoot}/init.sql", "secure_file_priv=NULL", "skip-name-resolve", "mysqlx=OFF",
            "port=3306", "max_connections=40", "innodb_buffer_pool_size=16M", "innodb_redo_log_capacity=16M", "innodb_log_buffer_size=4M",
            "performance_schema=ON", "performance_schema_digests_size=200", "performance_schema_max_digest_length=256",
            "performance_schema_max_sql_text_length=256", "performance_schema_events_statements_history_long_size=100",
            "performance_schema_events_waits_history_long_size=100", "performance_schema_events_stages_history_long_size=100",
            "performance_schema_events_transactions_history_long_size=100", "temptable_max_ram=32M", "key_buffer_size=1M",
            "gtid_mode=ON", "enforce_gtid_consistency=ON", "plugin-load-add=group_replication.so",
            "loose-group_replication_recovery_get_public_key=ON", "loose-group_replication_message_cache_size=134217728",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) lines.Add($"{k}={v}");
        // The pod's args as the image's entrypoint hands them to mysqld: --loose-x-y=v is loose-x-y=v in the file.
        foreach (var a in podArgs)
        {
            if (!a.StartsWith("--loose-", StringComparison.Ordinal)) throw new InvalidOperationException($"unexpected member arg {a}");
            if (startOnBoot is not null && a.StartsWith("--loose-group-replication-start-on-boot=", StringComparison.Ordinal)) continue;
            lines.Add(a[2..]);
        }
        if (startOnBoot is { } on) lines.Add($"loose-group-replication-start-on-boot={(on ? "ON" : "OFF")}");
        Settings = string.Join('\n', lines) + "\n";
        File.WriteAllText(Path.Combine(Dir, "my.cnf"), Settings);
        // Accounts of the image's init SQL, kept out of the binary log (every member has them; no member has a GTID
        // the others lack). The recovery channel's credentials persist in the datadir.
        File.WriteAllText(Path.Combine(Dir, "init.sql"), $"""
            SET SQL_LOG_BIN=0;
            CREATE USER IF NOT EXISTS '{ReplUser}'@'%' IDENTIFIED BY '{ReplPassword}';
            GRANT REPLICATION SLAVE, CONNECTION_ADMIN, BACKUP_ADMIN, GROUP_REPLICATION_STREAM ON *.* TO '{ReplUser}'@'%';
            CREATE USER IF NOT EXISTS '{OperatorUser}'@'%' IDENTIFIED BY '{OperatorPassword}';
            GRANT SELECT ON performance_schema.replication_group_members TO '{OperatorUser}'@'%';
            GRANT SELECT ON performance_schema.replication_group_member_stats TO '{OperatorUser}'@'%';
            GRANT SELECT ON performance_schema.replication_connection_status TO '{OperatorUser}'@'%';
            GRANT SELECT ON performance_schema.error_log TO '{OperatorUser}'@'%';
            GRANT GROUP_REPLICATION_ADMIN, SYSTEM_VARIABLES_ADMIN, PERSIST_RO_VARIABLES_ADMIN, CONNECTION_ADMIN ON *.* TO '{OperatorUser}'@'%';
            CHANGE REPLICATION SOURCE TO SOURCE_USER='{ReplUser}', SOURCE_PASSWORD='{ReplPassword}' FOR CHANNEL 'group_replication_recovery';
            SET SQL_LOG_BIN=1;

            """);
        File.Delete(ErrorLog);
        // The root's own mysql user (the host may have another one with another uid).
        Exec.Run("chroot", MgrRoot.Path, "chown", "-R", "mysql:mysql", _inRoot).EnsureSuccess($"chown {Dir} to the root's mysql user");
        _process = RunningProcess.Start("nsenter", [$"--net={net.Netns.Path}", "chroot", MgrRoot.Path, "/usr/sbin/mysqld", $"--defaults-file={_inRoot}/my.cnf"]);
        WaitReady();
    }

    void WaitReady()
    {
        Eventually.True($"{Name}'s mysqld accepting connections on {Socket}", () =>
        {
            if (_process!.HasExited) throw new InvalidOperationException($"{Name}'s mysqld exited with {_process.ExitCode}: {Tail()}\n{_process.Output}");
            if (!File.Exists(Socket)) return false;
            try
            {
                Scalar("SELECT 1");
                return true;
            }
            catch (MySqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(180), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>kill -9 of this member's mysqld (its PID checked to be mysqld first); returns once it is gone.</summary>
    public void Kill9()
    {
        if (_process is null || _process.HasExited) return;
        if (Comm(_process.Id) == "mysqld") _ = Tmds.Linux.LibC.kill(_process.Id, Tmds.Linux.LibC.SIGKILL);
        _process.WaitForExit(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGTERM, up to 20 s for a clean shutdown, then SIGKILL.</summary>
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited && Comm(_process.Id) == "mysqld") _ = Tmds.Linux.LibC.kill(_process.Id, Tmds.Linux.LibC.SIGTERM);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(20))) Kill9();
        _process?.Dispose();
        _process = null;
    }

    static string? Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return null; }
    }

    /// <summary>root over the Unix socket (root@localhost of --initialize-insecure).</summary>
    public string RootConnectionString => new MySqlConnectionStringBuilder
    {
        Server = Socket, ConnectionProtocol = MySqlConnectionProtocol.UnixSocket, UserID = "root", Pooling = false,
        ConnectionTimeout = 10, DefaultCommandTimeout = 60, GuidFormat = MySqlGuidFormat.None, AllowUserVariables = true,
    }.ConnectionString;

    /// <summary>How the operator reaches this member in tests: its socket (the member's fixed address maps to it).</summary>
    public MySqlConnectionStringBuilder OperatorEndpoint() => new() { Server = Socket, ConnectionProtocol = MySqlConnectionProtocol.UnixSocket };

    public void Execute(string sql)
    {
        using var c = new MySqlConnection(RootConnectionString);
        c.Open();
        using var cmd = new MySqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    public object? Scalar(string sql)
    {
        using var c = new MySqlConnection(RootConnectionString);
        c.Open();
        using var cmd = new MySqlCommand(sql, c);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    public string Text(string sql) => Convert.ToString(Scalar(sql), CultureInfo.InvariantCulture) ?? "";

    /// <summary>(MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE) as this member sees the group; empty when it cannot be asked.</summary>
    public List<(string Host, string State, string Role)> Members()
    {
        var rows = new List<(string, string, string)>();
        try
        {
            using var c = new MySqlConnection(RootConnectionString);
            c.Open();
            using var cmd = new MySqlCommand("SELECT MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE FROM performance_schema.replication_group_members", c);
            using var r = cmd.ExecuteReader();
            while (r.Read()) rows.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        catch (MySqlException)
        {
        }
        return rows;
    }

    public string State() => Members().FirstOrDefault(m => m.Host == Net?.Address.ToString()).State ?? "";

    public string Tail(int lines = 15)
    {
        try { return string.Join("\n", File.ReadAllLines(ErrorLog).TakeLast(lines)); }
        catch (IOException) { return "(no error log)"; }
    }

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        foreach (var f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
    }

    /// <summary>Stops mysqld and deletes the member's folder (datadir included).</summary>
    public void Dispose()
    {
        Stop();
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }
}

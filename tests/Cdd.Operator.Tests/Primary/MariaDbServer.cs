using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;

namespace Cdd.Operator.Tests.Primary;

/// <summary>
/// A private mariadbd from Debian's mariadb-server package, run as root on a fresh datadir in a temp folder, listening
/// on 127.0.0.1 at a free port and a socket in the same folder. MySQL with Group Replication is not installable on
/// these machines, so the primary watcher tests read a plain table named <c>replication_group_members</c> with the
/// columns of MySQL's performance_schema table from a schema of their own (<see cref="CreateGroupSchema"/>), and point
/// the watcher's schema setting at it. Without root or without mariadbd the constructor throws with the reason: the
/// tests fail, never skip. Dispose shuts the server down and deletes the folder, also after a failed test.
/// </summary>
public sealed class MariaDbServer : IDisposable
{
    const string Mariadbd = "/usr/sbin/mariadbd";
    readonly string _dir;
    readonly Process? _process;

    public MariaDbServer()
    {
        if (!Environment.IsPrivilegedProcess)
            throw new InvalidOperationException("the primary watcher tests start a private mariadbd as root; run them as root (./build.sh test does)");
        if (!File.Exists(Mariadbd))
            throw new InvalidOperationException($"{Mariadbd} is missing: install Debian's mariadb-server (build.sh's APT_PACKAGES lists it)");
        var installDb = Which("mariadb-install-db")
            ?? throw new InvalidOperationException("mariadb-install-db is not on PATH: install Debian's mariadb-server (build.sh's APT_PACKAGES lists it)");

        _dir = Directory.CreateTempSubdirectory("cdd-mariadb-").FullName;
        try
        {
            var data = Path.Combine(_dir, "data");
            // Its own temp folder: bootstraps of parallel test classes in one /tmp clashed on temporary table files.
            var tmp = Directory.CreateDirectory(Path.Combine(_dir, "tmp")).FullName;
            Run(installDb, "--no-defaults", $"--datadir={data}", "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db", $"--tmpdir={tmp}");
            Port = FreePort();
            var psi = new ProcessStartInfo(Mariadbd)
            {
                UseShellExecute = false,
                RedirectStandardOutput = false,
                RedirectStandardError = false,
            };
            foreach (var a in new[]
            {
                "--no-defaults", $"--datadir={data}", $"--tmpdir={tmp}", "--user=root", "--skip-networking=0", "--bind-address=127.0.0.1",
                $"--port={Port}", $"--socket={Path.Combine(_dir, "mysqld.sock")}", $"--pid-file={Path.Combine(_dir, "mysqld.pid")}",
                $"--log-error={ErrorLog}", "--skip-name-resolve", "--innodb-buffer-pool-size=16M", "--performance-schema=OFF",
            })
                psi.ArgumentList.Add(a);
            _process = Process.Start(psi) ?? throw new InvalidOperationException("mariadbd did not start");
            ProcessId = _process.Id;
            WaitReady();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }
    /// <summary>The temp folder holding datadir, socket, pid file and error log; gone after Dispose.</summary>
    public string Root => _dir;
    public int ProcessId { get; }
    string ErrorLog => Path.Combine(_dir, "mysqld.err");

    public string ConnectionString => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        UserID = "root",
        Password = "",
        Pooling = false,
    }.ConnectionString;

    /// <summary>A new schema holding <c>replication_group_members</c> with MySQL 8's column list; returns its name.</summary>
    public string CreateGroupSchema()
    {
        var schema = "grp_" + Guid.NewGuid().ToString("N")[..12];
        Execute($"""
            CREATE DATABASE `{schema}`;
            CREATE TABLE `{schema}`.replication_group_members (
              CHANNEL_NAME char(64) NOT NULL,
              MEMBER_ID char(36) NOT NULL,
              MEMBER_HOST char(255) NOT NULL,
              MEMBER_PORT int DEFAULT NULL,
              MEMBER_STATE char(64) NOT NULL,
              MEMBER_ROLE char(64) NOT NULL,
              MEMBER_VERSION char(64) NOT NULL,
              MEMBER_COMMUNICATION_STACK char(64) NOT NULL
            );
            CREATE TABLE `{schema}`.replication_group_member_stats (
              MEMBER_ID char(36) NOT NULL,
              COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE bigint unsigned NOT NULL
            );
            """);
        return schema;
    }

    public void AddMember(string schema, string host, string state, string role) =>
        Execute($"INSERT INTO `{schema}`.replication_group_members VALUES ('group_replication_applier', UUID(), '{host}', 3306, '{state}', '{role}', '8.0.40', 'XCOM')");

    public void Execute(string sql)
    {
        using var conn = new MySqlConnection(ConnectionString + ";AllowUserVariables=true");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    void WaitReady()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"mariadbd exited with {_process.ExitCode}: {Tail(ErrorLog)}");
            try
            {
                Execute("SELECT 1");
                return;
            }
            catch (MySqlException e)
            {
                last = e;
                Thread.Sleep(100);
            }
        }
        throw new InvalidOperationException($"mariadbd did not accept connections on 127.0.0.1:{Port} within 60 s ({last?.Message}): {Tail(ErrorLog)}");
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    try { Execute("SHUTDOWN"); } catch (Exception) { }
                    if (!_process.WaitForExit(15_000)) _process.Kill();
                    _process.WaitForExit(15_000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    /// <summary>A port nothing listens on (bound, read, released).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/sbin")
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}: {stderr}{stdout.Result}");
    }

    static string Tail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join(" | ", lines.TakeLast(8));
        }
        catch (IOException)
        {
            return "(no error log)";
        }
    }
}

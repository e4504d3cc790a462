namespace Cdd.Testing.Operator.Mgr;

/// <summary>
/// The sid root folder MySQL 9.7 with Group Replication runs from (MYSQL-NOTES.md): made once per machine by
/// <c>./build.sh mgr-root</c> (and by <c>./build.sh test mgr</c>) at <c>CDD_MYSQL_ROOT</c> or /var/lib/cdd/mysql-root, with an
/// initialized template datadir (no auto.cnf). Missing or half made, <see cref="Require"/> throws saying how to make
/// it: the mgr tier fails, never skips.
/// </summary>
public static class MgrRoot
{
    public static string Path => Environment.GetEnvironmentVariable("CDD_MYSQL_ROOT") is { Length: > 0 } p ? p : "/var/lib/cdd/mysql-root";

    /// <summary>The template datadir inside the root (a host path).</summary>
    public static string TemplateData => System.IO.Path.Combine(Path, "srv/template/data");

    public static void Require()
    {
        Cdd.Testing.Root.Require("network namespaces and the MySQL members' chroot");
        string[] markers = [System.IO.Path.Combine(Path, ".cdd-root-complete"), System.IO.Path.Combine(Path, "srv/template/.cdd-template-complete"), System.IO.Path.Combine(Path, "usr/sbin/mysqld")];
        foreach (var m in markers)
            if (!File.Exists(m))
                throw new InvalidOperationException(
                    $"the mgr tier needs the sid MySQL root at {Path} (CDD_MYSQL_ROOT) with its template datadir; {m} is missing. Make it with `./build.sh mgr-root` as root (MYSQL-NOTES.md).");
    }
}

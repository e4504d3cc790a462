using Cdd.Testing;

namespace Cdd.Cni.Tests.Integration;

/// <summary>`cdd-cni install`, as a node DaemonSet's init container runs it, on the published binary.</summary>
[Tier(Tier.Unit)]
public sealed class InstallTests : IDisposable
{
    readonly TempDir _dir = new("cdd-install");

    public void Dispose() => _dir.Dispose();

    ExecResult Install(params string[] args) => Exec.Run(RepoRoot.CddCni, ["install", .. args], clearEnv: true);

    [Fact]
    public void Install_copies_the_binary_executable_and_is_repeatable()
    {
        string bin = _dir.Sub("opt-cni-bin");
        Install("--bin-dir", bin).EnsureSuccess("install");
        Install("--bin-dir", bin).EnsureSuccess("install again");
        string installed = Path.Combine(bin, "cdd-cni");
        Assert.Equal(File.ReadAllBytes(RepoRoot.CddCni), File.ReadAllBytes(installed));
        Assert.True(File.GetUnixFileMode(installed).HasFlag(UnixFileMode.OtherExecute));
        Assert.Empty(Directory.GetFiles(bin, "*.cdd-install-*")); // no temporary file left
        Assert.Contains("cdd-cni", Exec.Run(installed, "version").EnsureSuccess("installed binary runs").Stdout);
    }

    [Fact]
    public void Install_places_a_valid_conflist()
    {
        string conf = _dir.Sub("net.d");
        string list = Path.Combine(_dir.Path, "10-mysql.conflist");
        File.WriteAllText(list, """{"cniVersion":"1.1.0","name":"mysql","plugins":[{"type":"cdd-cni","mode":"macvlan","ipam":{"type":"host-local"}}]}""");
        Install("--bin-dir", _dir.Sub("bin"), "--conf-dir", conf, "--conflist", list).EnsureSuccess("install");
        Assert.Equal(File.ReadAllText(list), File.ReadAllText(Path.Combine(conf, "10-mysql.conflist")));
    }

    [Fact]
    public void Invalid_conflist_installs_nothing_and_says_why()
    {
        string bin = _dir.Sub("bin");
        string list = Path.Combine(_dir.Path, "broken.conflist");
        File.WriteAllText(list, """{"cniVersion":"1.1.0","plugins":[]}""");
        var r = Install("--bin-dir", bin, "--conf-dir", Path.Combine(_dir.Path, "net.d"), "--conflist", list);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("\"name\" is missing", r.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(bin));
    }

    [Fact]
    public void A_missing_bin_dir_is_a_missing_mount_and_installs_nothing()
    {
        string bin = Path.Combine(_dir.Path, "not-mounted");
        var r = Install("--bin-dir", bin);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--bin-dir {bin} does not exist: is the host's directory mounted there?", r.Stderr);
        Assert.False(Directory.Exists(bin));
    }

    [Fact]
    public void Unchanged_files_are_not_rewritten()
    {
        string bin = _dir.Sub("bin");
        Install("--bin-dir", bin).EnsureSuccess("install");
        string installed = Path.Combine(bin, "cdd-cni");
        var before = new FileInfo(installed).LastWriteTimeUtc;
        long inode = Inode(installed);
        var again = Install("--bin-dir", bin).EnsureSuccess("install again");
        Assert.Contains($"unchanged {installed}", again.Stdout);
        Assert.Equal(inode, Inode(installed));
        Assert.Equal(before, new FileInfo(installed).LastWriteTimeUtc);
    }

    static long Inode(string path) => long.Parse(Exec.Run("stat", "-c", "%i", path).EnsureSuccess("stat").Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
}

using Cdd.Cni.Spec;
using Cdd.Testing;

namespace Cdd.Ipam.Plugin.Tests;

/// <summary>ipam.dataDir is taken as the kernel resolves it and refused among the system's files, always with code 7.</summary>
[Tier(Tier.Unit)]
public sealed class IpamSettingsDataDirTests : IDisposable
{
    readonly TempDir _dir = new("cdd-ipam-datadir");

    public void Dispose() => _dir.Dispose();

    static IpamSettings Parse(string dataDir) => IpamSettings.Parse(
        System.Text.Encoding.UTF8.GetBytes($$"""{"cniVersion":"1.1.0","name":"n","ipam":{{IpamConfigs.Ipam(dataDir.Replace("\\", "\\\\").Replace("\0", "\\u0000"))}}}"""),
        new Dictionary<string, string?>());

    static CniException Refused(string dataDir)
    {
        var e = Assert.Throws<CniException>(() => Parse(dataDir));
        Assert.Equal(CniErrorCodes.InvalidNetworkConfig, e.Code);
        Assert.Contains("ipam.dataDir", e.Msg);
        return e;
    }

    [Fact]
    public void Dot_dot_after_a_missing_folder_is_refused_and_nothing_is_created()
    {
        string text = _dir.Path + "/a/../../b";
        Assert.Contains("does not exist", Refused(text).Msg);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(_dir.Path)!, "b")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Dot_dot_through_an_existing_folder_resolves_like_the_kernel()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "a"));
        Assert.Equal(_dir.Path + "/c", Parse(_dir.Path + "/a/../c").DataDir);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("/etc/cdd")]
    [InlineData("/proc/self")]
    [InlineData("/sys/fs")]
    [InlineData("/dev/shm/x")]
    [InlineData("/run/netns")]
    [InlineData("/var/run/netns/x")]
    [InlineData("/tmp/../etc")]
    public void System_folders_are_refused(string dataDir) => Refused(dataDir);

    [Fact]
    public void A_symlink_into_etc_is_refused_by_where_it_leads()
    {
        string link = Path.Combine(_dir.Path, "sneaky");
        File.CreateSymbolicLink(link, "/etc");
        Assert.Contains("/etc", Refused(link + "/pools").Msg);
    }

    [Fact]
    public void A_nul_byte_is_refused()
    {
        Assert.Contains("NUL", Refused(_dir.Path + "/a\0b").Msg);
    }

    [Fact]
    public void A_path_through_a_regular_file_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "f"), "");
        Assert.Contains("not a directory", Refused(_dir.Path + "/f/pools").Msg);
    }
}

using System.Net.Sockets;
using Cdd.Native.Namespaces;
using Cdd.Testing;

namespace Cdd.Native.Tests.Namespaces;

/// <summary>Only an nsfs file of a network namespace opens as one; everything else says what it is, at once.</summary>
[Tier(Tier.Unit)]
public sealed class NetNsKindTests : IDisposable
{
    readonly TempDir _dir = new("cdd-netns-kind");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_fifo_is_refused_without_blocking()
    {
        string path = Path.Combine(_dir.Path, "fifo");
        Exec.Run("mkfifo", path);
        var e = Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open(path));
        Assert.Equal("a FIFO", e.Found);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_regular_file_is_refused()
    {
        string path = Path.Combine(_dir.Path, "file");
        File.WriteAllText(path, "");
        Assert.Equal("a regular file", Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open(path)).Found);
    }

    [Fact]
    public void A_directory_is_refused()
    {
        Assert.Equal("a directory", Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open(_dir.Path)).Found);
    }

    [Fact]
    public void Dev_null_is_refused()
    {
        Assert.Equal("a character device", Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open("/dev/null")).Found);
    }

    [Fact]
    public void A_unix_socket_is_refused()
    {
        string path = Path.Combine(_dir.Path, "sock");
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open(path));
    }

    [Fact]
    public void Another_kind_of_namespace_is_refused_and_named()
    {
        Assert.Equal("a mnt namespace", Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open("/proc/self/ns/mnt")).Found);
        Assert.Equal("a uts namespace", Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open("/proc/self/ns/uts")).Found);
    }

    [Fact]
    public void A_path_with_a_nul_byte_is_refused_before_the_kernel_sees_a_shorter_one()
    {
        var e = Assert.Throws<NotANetworkNamespaceException>(() => NetNs.Open("/proc/self/ns/net\0/x"));
        Assert.DoesNotContain("\0", e.Message);
    }

    [Fact]
    public void The_process_namespace_is_recognised_as_our_own()
    {
        using var ns = NetNs.Open("/proc/self/ns/net");
        Assert.True(ns.IsProcessNamespace());
        using var thread = NetNs.Current();
        Assert.True(thread.IsProcessNamespace());
    }
}

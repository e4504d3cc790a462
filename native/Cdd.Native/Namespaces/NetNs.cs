using System.Runtime.ExceptionServices;
using System.Text;
using Cdd.Native.Interop;
using Cdd.Native.Netlink;
using static Tmds.Linux.LibC;

namespace Cdd.Native.Namespaces;

/// <summary>
/// An open network namespace (a file descriptor on an nsfs file such as /var/run/netns/x or
/// /proc/PID/ns/net). setns() changes only the calling OS thread, so work inside runs on a dedicated
/// thread that never awaits and never returns to a pool.
/// </summary>
public sealed unsafe class NetNs : IDisposable
{
    int _fd;

    NetNs(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    public int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            return _fd;
        }
    }

    /// <summary>
    /// Opens a network namespace by path. A missing path throws an <see cref="ErrnoException"/> with IsNotFound; a
    /// path naming anything but a network namespace throws <see cref="NotANetworkNamespaceException"/>.
    /// O_NONBLOCK because a FIFO would otherwise block open() until a writer comes, which may be never; nsfs
    /// files ignore it. O_NOCTTY because a terminal must never become ours by being opened.
    /// </summary>
    public static NetNs Open(string path)
    {
        if (path.Contains('\0')) throw new NotANetworkNamespaceException(path.Replace("\0", "\\0"), "a path with a NUL byte");
        int fd;
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        do
        {
            fixed (byte* p = bytes) fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0)
        {
            var e = ErrnoException.FromLast("open network namespace", path);
            // A socket file cannot be opened at all: it is simply not a namespace.
            if (e.Errno == Errno.ENXIO) throw new NotANetworkNamespaceException(path, "a socket or a device without a driver");
            throw e;
        }
        try
        {
            Verify(fd, path);
            return new NetNs(fd, path);
        }
        catch
        {
            _ = close(fd);
            throw;
        }
    }

    static void Verify(int fd, string path)
    {
        Tmds.Linux.stat st;
        if (fstat(fd, &st) < 0) throw ErrnoException.FromLast("fstat(netns)", path);
        byte* fs = stackalloc byte[NsCalls.StatfsBufferSize];
        if (NsCalls.fstatfs(fd, fs) < 0) throw ErrnoException.FromLast("fstatfs(netns)", path);
        long type = *(long*)fs;
        if (type != NsCalls.NSFS_MAGIC) throw new NotANetworkNamespaceException(path, Describe((uint)st.st_mode));
        int nstype = NsCalls.ioctl(fd, NsCalls.NS_GET_NSTYPE);
        if (nstype < 0)
        {
            var e = ErrnoException.FromLast("ioctl(NS_GET_NSTYPE)", path);
            // Before Linux 4.11 nsfs has no type query; compare with the /proc link name instead.
            if (e.Errno is not (Errno.ENOTTY or Errno.EINVAL)) throw e;
            if (ProcLinkType(fd) is { } name && name != "net") throw new NotANetworkNamespaceException(path, $"a {name} namespace");
            return;
        }
        if (nstype != NsCalls.CLONE_NEWNET) throw new NotANetworkNamespaceException(path, $"a {NamespaceType(nstype)} namespace");
    }

    static string? ProcLinkType(int fd)
    {
        try
        {
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget; // "net:[4026531840]"
            int colon = target?.IndexOf(':') ?? -1;
            return colon > 0 ? target![..colon] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    static string Describe(uint mode) => (mode & NsCalls.S_IFMT) switch
    {
        NsCalls.S_IFIFO => "a FIFO",
        NsCalls.S_IFSOCK => "a socket",
        NsCalls.S_IFDIR => "a directory",
        NsCalls.S_IFCHR => "a character device",
        NsCalls.S_IFBLK => "a block device",
        NsCalls.S_IFLNK => "a symbolic link",
        NsCalls.S_IFREG => "a regular file",
        _ => $"a file of mode {Convert.ToString(mode, 8)}",
    };

    static string NamespaceType(int type) => type switch
    {
        NsCalls.CLONE_NEWNS => "mnt",
        NsCalls.CLONE_NEWUTS => "uts",
        NsCalls.CLONE_NEWIPC => "ipc",
        NsCalls.CLONE_NEWUSER => "user",
        NsCalls.CLONE_NEWPID => "pid",
        NsCalls.CLONE_NEWCGROUP => "cgroup",
        NsCalls.CLONE_NEWTIME => "time",
        _ => $"type 0x{type:x}",
    };

    /// <summary>The calling thread's namespace.</summary>
    public static NetNs Current() => Open("/proc/thread-self/ns/net");

    /// <summary>Runs <paramref name="work"/> inside this namespace on a dedicated thread and returns its result.</summary>
    public T Run<T>(Func<T> work)
    {
        int target = Fd;
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            using var home = Current();
            if (setns(target, CLONE_NEWNET) < 0)
            {
                failure = ExceptionDispatchInfo.Capture(ErrnoException.FromLast("setns", Path));
                return;
            }
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                // If switching back fails the thread simply ends here: it is ours and never reused.
                _ = setns(home.Fd, CLONE_NEWNET);
            }
        }, 256 * 1024) { IsBackground = true, Name = "netns" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    public void Run(Action work) => Run(() => { work(); return 0; });

    /// <summary>A netlink socket bound to this namespace, usable from any thread.</summary>
    public NetlinkSocket OpenNetlink() => Run(NetlinkSocket.Open);

    /// <summary>True when both descriptors name the same namespace (same nsfs inode).</summary>
    public bool IsSameAs(NetNs other)
    {
        Tmds.Linux.stat a, b;
        if (fstat(Fd, &a) < 0 || fstat(other.Fd, &b) < 0) throw ErrnoException.FromLast("fstat(netns)");
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    }

    /// <summary>True when this is the namespace the process itself runs in (same nsfs device and inode as /proc/self/ns/net).</summary>
    public bool IsProcessNamespace()
    {
        using var self = Open("/proc/self/ns/net");
        return IsSameAs(self);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = close(_fd);
            _fd = -1;
        }
    }
}

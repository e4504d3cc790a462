using System.Runtime.ExceptionServices;
using System.Text;
using Cdd.Native.Netlink;
using static Tmds.Linux.LibC;

namespace Cdd.Native;

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

    /// <summary>Opens a namespace by path; a missing path throws an <see cref="ErrnoException"/> with IsNotFound.</summary>
    public static NetNs Open(string path)
    {
        int fd;
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes) fd = open(p, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0) throw ErrnoException.FromLast("open network namespace", path);
        return new NetNs(fd, path);
    }

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

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = close(_fd);
            _fd = -1;
        }
    }
}

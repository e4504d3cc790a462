using System.Text;
using Cdd.Native.Interop;
using static Tmds.Linux.LibC;

namespace Cdd.Native;

/// <summary>
/// An exclusive flock on a file, released on dispose or when the process dies (so a killed
/// plugin never leaves a node locked).
/// </summary>
public sealed unsafe class FileLock : IDisposable
{
    int _fd;

    FileLock(int fd) => _fd = fd;

    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        int fd;
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes) fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0) throw ErrnoException.FromLast("open lock file", path);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        int delay = 1;
        while (Flock.flock(fd, Flock.LOCK_EX | Flock.LOCK_NB) < 0)
        {
            var err = (Errno)System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (err is not (Errno.EAGAIN or Errno.EINTR) || Environment.TickCount64 > deadline)
            {
                _ = close(fd);
                throw new ErrnoException(err == Errno.EAGAIN ? Errno.ETIMEDOUT : err, "lock", path);
            }
            Thread.Sleep(delay);
            delay = Math.Min(delay * 2, 20);
        }
        return new FileLock(fd);
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

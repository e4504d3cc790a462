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
    readonly string _path;

    FileLock(int fd, string path)
    {
        _fd = fd;
        _path = path;
    }

    /// <param name="inheritable">
    /// Without O_CLOEXEC: children we start hold the lock too (flock belongs to the open file description), so it is
    /// released only when the last of us is gone, even when we were SIGKILLed and a child lives on.
    /// </param>
    public static FileLock Acquire(string path, TimeSpan timeout, bool inheritable = false)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            int fd;
            fixed (byte* p = bytes) fd = open(p, O_RDWR | O_CREAT | (inheritable ? 0 : O_CLOEXEC), 0x180 /* 0600 */);
            if (fd < 0) throw ErrnoException.FromLast("open lock file", path);
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
            // A holder may have removed the file while we waited on it: our lock is then on an orphaned inode.
            if (IsStillAt(fd, bytes)) return new FileLock(fd, path);
            _ = close(fd);
        }
    }

    static bool IsStillAt(int fd, byte[] path)
    {
        Tmds.Linux.stat held, now;
        if (fstat(fd, &held) < 0) return false;
        fixed (byte* p = path)
            if (stat(p, &now) < 0) return false;
        return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
    }

    /// <summary>Removes the lock file while holding it; a waiter then sees the inode gone and takes a fresh one.</summary>
    public void RemoveFile()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // left for the next holder: a lock file costs nothing but an inode
        }
        catch (UnauthorizedAccessException)
        {
        }
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

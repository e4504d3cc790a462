using Cdd.Native.Interop;
using Cdd.Native.Mounts;
using Cdd.Testing;

namespace Cdd.Native.Tests.Mounts;

// The kernel resolves the path before it checks privileges, so a missing path is ENOENT for any user.
[Tier(Tier.Unit)]
public sealed class MountErrnoTests : IDisposable
{
    readonly TempDir _dir = new("cdd-mount-errno");

    string Missing => Path.Combine(_dir.Path, "missing");

    [Fact]
    public void A_mount_on_a_missing_target_reports_ENOENT()
    {
        var e = Assert.Throws<ErrnoException>(() => Mount.Bind(_dir.Path, Missing, readOnly: false));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains(Missing, e.Message);
    }

    [Fact]
    public void An_unmount_of_a_missing_path_reports_ENOENT()
    {
        var e = Assert.Throws<ErrnoException>(() => Mount.Unmount(Missing));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("umount", e.Operation);
    }

    [Fact]
    public void Statvfs_of_a_missing_path_reports_ENOENT()
    {
        var e = Assert.Throws<ErrnoException>(() => Mount.Stats(Missing));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("statvfs", e.Operation);
    }

    [Fact]
    public void The_errno_is_the_one_the_call_left_even_when_errno_changes_afterwards()
    {
        // What the runtime may do between the stub's return and our read (another syscall setting errno),
        // done on purpose: the saved P/Invoke error still says ENOENT, the thread's errno says EPERM.
        var e = Assert.Throws<ErrnoException>(() => Mount.Call(() =>
        {
            int rc = MountCalls.statvfs(Missing, out _);
            System.Runtime.InteropServices.Marshal.SetLastSystemError((int)Errno.EPERM);
            return rc;
        }, "statvfs", Missing));
        Assert.Equal(Errno.ENOENT, e.Errno);
    }

    public void Dispose() => _dir.Dispose();
}

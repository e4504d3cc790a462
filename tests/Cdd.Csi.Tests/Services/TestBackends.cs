using Cdd.Csi.Lvm;

namespace Cdd.Csi.Tests.Services;

/// <summary>The backend set a node instance with only LVM has, over an <see cref="ILvm"/> of the test's choosing.</summary>
internal static class TestBackends
{
    public static Cdd.Csi.Backends.Backends Lvm(DriverOptions options, ILvm lvm, Cdd.Csi.Node.IDevices? devices = null)
    {
        var locks = new Locks();
        return new Cdd.Csi.Backends.Backends([new LvmBackend(options, lvm, locks)], [new LvmNode(options, lvm, locks, devices ?? new Cdd.Csi.Node.SysfsDevices())]);
    }
}

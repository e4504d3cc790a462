using Cdd.Vm;
using GuestVm = Cdd.Vm.Vm;

namespace Cdd.Cni.Tests.Vm;

/// <summary>
/// One guest for a test class (<c>IClassFixture</c>) or for every class in <see cref="NetdevsimCollection"/>: Debian's stock kernel with the out-of-tree netdevsim.ko loaded
/// and one netdevsim device whose single port is an SR-IOV PF named <see cref="Pf"/> with <see cref="VfCount"/> VFs
/// enabled. netdevsim keeps each VF's MAC, VLAN, QoS, VLAN protocol, spoof check, trust, link state and TX rates and
/// reports them over rtnetlink like a real PF; its VFs have no netdevs (stand them in with veth or macvlan) and its
/// device has no sriov_totalvfs file. Without root, QEMU, the kernel headers or source, the constructor throws the
/// reason and every test in the class fails with it.
/// </summary>
public sealed class NetdevsimGuest : IDisposable
{
    /// <summary>The PF's netdev in the guest's initial namespace (renamed from netdevsim's ethN so tests can name it).</summary>
    public const string Pf = "nsimpf0";

    /// <summary>VFs enabled on the PF: netdevsim's maximum (NSIM_BUS_DEV_MAX_VFS).</summary>
    public const int VfCount = 4;

    /// <summary>The netdevsim bus device id: /sys/bus/netdevsim/devices/netdevsim1.</summary>
    public const int DeviceId = 1;

    /// <summary>The PF's device folder in the guest's sysfs (holds sriov_numvfs and net/).</summary>
    public static readonly string DeviceSysfs = $"/sys/bus/netdevsim/devices/netdevsim{DeviceId}";

    public NetdevsimGuest()
    {
        GuestVm.Require();
        var kernel = GuestKernel.Find();
        Module = NetdevsimModule.Build(kernel);
        Vm = GuestVm.Boot();
        try
        {
            Vm.Run($"""
                set -e
                for m in $(modinfo -F depends {Module} | tr ',' ' '); do modprobe "$m"; done
                insmod {Module}
                """).EnsureSuccess($"load {Module} in the guest");
            ResetPf();
        }
        catch
        {
            Vm.Dispose();
            throw;
        }
    }

    public GuestVm Vm { get; }

    /// <summary>The host path of the netdevsim.ko the guest loaded (the guest sees it at the same path).</summary>
    public string Module { get; }

    /// <summary>Runs a /bin/sh script in the guest as root (ip, ip netns, modprobe, out/ binaries all work there).</summary>
    public GuestResult Run(string script) => Vm.Run(script);

    /// <summary>The PF's VFs as iproute2 reads them back over rtnetlink (the oracle for what cdd-cni set).</summary>
    public IReadOnlyList<IpVf> ReadVfs() => IpVf.Read(Vm, Pf);

    /// <summary>
    /// Deletes the netdevsim device (if any) and creates it afresh: PF <see cref="Pf"/> up, <see cref="VfCount"/> VFs,
    /// every VF at netdevsim's initial settings (all zero: MAC 00:00:00:00:00:00, VLAN 0, QoS 0, protocol 0, spoof
    /// check off, trust off, link state auto, rates 0). Disabling and re-enabling VFs would not do: netdevsim keeps
    /// the VF settings for the device's life.
    /// </summary>
    public void ResetPf() =>
        Vm.Run($"""
            set -e
            if [ -e {DeviceSysfs} ]; then echo {DeviceId} > /sys/bus/netdevsim/del_device; fi
            echo "{DeviceId} 1" > /sys/bus/netdevsim/new_device
            # new_device probes synchronously: the port's netdev exists once the write returns.
            dev=$(ls {DeviceSysfs}/net)
            if [ "$(echo "$dev" | wc -w)" != 1 ]; then echo "expected one netdev under {DeviceSysfs}/net, found: $dev" >&2; exit 1; fi
            ip link set "$dev" name {Pf}
            ip link set {Pf} up
            echo {VfCount} > {DeviceSysfs}/sriov_numvfs
            [ "$(cat {DeviceSysfs}/sriov_numvfs)" = {VfCount} ]
            """).EnsureSuccess("create the netdevsim PF in the guest");

    public void Dispose() => Vm.Dispose();
}

namespace Cdd.Vm;

/// <summary>What a guest gets: blank virtual disks (raw, sparse; /dev/vda, /dev/vdb, ... in order) and TCP ports forwarded from host loopback.</summary>
public sealed record VmOptions
{
    /// <summary>Sizes in bytes of blank virtio disks to attach.</summary>
    public IReadOnlyList<long> Disks { get; init; } = [];

    /// <summary>How many guest TCP ports to forward; each gets a free host port, the same number in the guest.</summary>
    public int ForwardedPorts { get; init; }

    /// <summary>From starting QEMU to the agent's ready mark; TCG boots take ~6 s of guest time, more on a busy host.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The whole VM's life: QEMU runs under timeout(1) with this limit, so a hung guest always ends.</summary>
    public TimeSpan LifeTimeout { get; init; } = TimeSpan.FromMinutes(20);
}

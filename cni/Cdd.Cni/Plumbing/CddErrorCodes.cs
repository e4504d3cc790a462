namespace Cdd.Cni.Plumbing;

/// <summary>Our own error codes (the spec leaves 100 and up to plugins).</summary>
public static class CddErrorCodes
{
    /// <summary>The kernel refused a link, address or route operation; the message names it and the errno.</summary>
    public const int KernelRefused = 101;
    /// <summary>CHECK found the interface, an address or a route different from prevResult.</summary>
    public const int CheckFailed = 102;
    /// <summary>The pod namespace already has an interface by CNI_IFNAME.</summary>
    public const int InterfaceExists = 103;
    /// <summary>sriov: no free VF on the configured PFs, or the requested VF is held by another attachment.</summary>
    public const int NoFreeDevice = 104;
}

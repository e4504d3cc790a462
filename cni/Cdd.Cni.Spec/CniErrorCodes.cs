namespace Cdd.Cni.Spec;

/// <summary>
/// Every error code the suite reports, in one table: the CNI spec's well-known codes (below 100) and ours (100 and
/// up, which the spec leaves to plugins). cdd-cni, cdd-ipam and cdd-ipamd all answer from here, so one failure has
/// one code whichever binary meets it.
/// </summary>
public static class CniErrorCodes
{
    public const int IncompatibleVersion = 1;
    public const int UnsupportedField = 2;
    public const int UnknownContainer = 3;
    public const int InvalidEnvironmentVariables = 4;
    public const int IoFailure = 5;
    public const int DecodingFailure = 6;
    public const int InvalidNetworkConfig = 7;
    public const int TryAgainLater = 11;
    public const int PluginNotAvailable = 50;
    public const int PluginNotAvailableLimitedConnectivity = 51;

    /// <summary>Anything of our own without a better code: a crash, a delegate that died without an error.</summary>
    public const int Internal = 100;
    /// <summary>The kernel refused a link, address or route operation; the message names it and the errno.</summary>
    public const int KernelRefused = 101;
    /// <summary>CHECK found the interface, an address, a route or the IPAM reservation different from prevResult.</summary>
    public const int CheckFailed = 102;
    /// <summary>The pod namespace already has an interface by CNI_IFNAME.</summary>
    public const int InterfaceExists = 103;
    /// <summary>sriov: no free VF on the configured PFs, or the requested VF is held by another attachment.</summary>
    public const int NoFreeDevice = 104;
    /// <summary>IPAM: every address of the segments the node reaches is reserved.</summary>
    public const int PoolExhausted = 110;
    /// <summary>IPAM: the requested address is held by another attachment.</summary>
    public const int AddressTaken = 111;
    /// <summary>IPAM: the requested address is in no segment of the pool, or not allocatable there.</summary>
    public const int AddressNotInPool = 112;
    /// <summary>IPAM: the node reaches no segment of the pool, or not the one the address must come from.</summary>
    public const int SegmentUnreachable = 113;
    /// <summary>IPAM (cdd-ipamd): the pool's namespaceSelector/podSelector does not admit the pod.</summary>
    public const int NotPermitted = 114;
}

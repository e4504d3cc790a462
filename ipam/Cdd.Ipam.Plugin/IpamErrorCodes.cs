namespace Cdd.Ipam.Plugin;

/// <summary>Our codes (the spec reserves everything below 100; 101-103 are cdd-cni's).</summary>
public static class IpamErrorCodes
{
    public const int CheckFailed = 102;
    public const int PoolExhausted = 110;
    public const int AddressTaken = 111;
    public const int AddressNotInPool = 112;
    public const int SegmentUnreachable = 113;
    /// <summary>cdd-ipamd: the pool's namespaceSelector/podSelector does not admit the pod.</summary>
    public const int NotPermitted = 114;
}

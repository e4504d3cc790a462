namespace Cdd.Native.Netlink;

/// <summary>The kernel refused a netlink request; carries the operation and the interface it was about.</summary>
public sealed class NetlinkException : ErrnoException
{
    public NetlinkException(Errno errno, string operation, string? interfaceName, string? kernelMessage = null)
        : base(errno, operation, Detail(interfaceName, kernelMessage))
    {
        Interface = interfaceName;
        KernelMessage = kernelMessage;
    }

    public string? Interface { get; }
    /// <summary>The extended ACK message, when the kernel gave one ("Invalid MTU" and the like).</summary>
    public string? KernelMessage { get; }

    static string? Detail(string? iface, string? kmsg) => (iface, kmsg) switch
    {
        (null, null) => null,
        (_, null) => $"on {iface}",
        (null, _) => $"({kmsg})",
        _ => $"on {iface} ({kmsg})",
    };
}

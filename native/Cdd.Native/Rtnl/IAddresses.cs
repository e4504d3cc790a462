using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>An address on a link.</summary>
public readonly record struct LinkAddress(int Index, IpPrefix Prefix, byte Scope);

public interface IAddresses
{
    void Add(int index, IpPrefix address, string? nameForErrors = null);
    void Delete(int index, IpPrefix address, string? nameForErrors = null);
    /// <summary>All addresses, or those of one link when <paramref name="index"/> is not 0.</summary>
    List<LinkAddress> List(int index = 0);
}

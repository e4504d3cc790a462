using System.Net;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>A bridge forwarding-database entry of a VXLAN device: frames for Mac go to the VTEP at Dst.</summary>
public readonly record struct FdbEntry(int Index, MacAddress Mac, IPAddress? Dst);

public interface INeighbours
{
    /// <summary>Appends a static FDB entry (bridge fdb append); the all-zero MAC means head-end replication for BUM traffic.</summary>
    void AppendFdb(int index, MacAddress mac, IPAddress dst, string? nameForErrors = null);
    void DeleteFdb(int index, MacAddress mac, IPAddress dst, string? nameForErrors = null);
    List<FdbEntry> ListFdb(int index);
}

using Cdd.Native.Namespaces;
using Cdd.Net;

namespace Cdd.Native.Rtnl;

/// <summary>Links of one network namespace (the one the netlink socket lives in).</summary>
public interface ILinks
{
    /// <summary>The link, or null when there is none by that name.</summary>
    Link? Find(string name);
    Link? Find(int index);
    Link Get(string name);
    List<Link> List();
    void Create(LinkSpec spec);
    void Delete(int index, string? nameForErrors = null);
    void SetUp(int index, bool up, string? nameForErrors = null);
    void SetMtu(int index, int mtu, string? nameForErrors = null);
    void SetMac(int index, MacAddress mac, string? nameForErrors = null);
    /// <summary>Enslaves the link to a bridge; 0 releases it.</summary>
    void SetMaster(int index, int masterIndex, string? nameForErrors = null);
    /// <summary>Sets IFLA_IFALIAS (at most 255 bytes). The kernel ignores it in a create request, hence its own call.</summary>
    void SetAlias(int index, string alias, string? nameForErrors = null);
    void Rename(int index, string newName, string? nameForErrors = null);
    void MoveTo(int index, NetNs ns, string? nameForErrors = null);
}

using System.Net.Sockets;

namespace Cdd.Native.Rtnl;

public interface IRoutes
{
    void Add(Route route, string? nameForErrors = null);
    void Delete(Route route, string? nameForErrors = null);
    /// <summary>Unicast routes of the main table, optionally of one family.</summary>
    List<Route> List(AddressFamily family = AddressFamily.Unspecified);
}

using Cdd.Native.Namespaces;
using Cdd.Native.Netlink;

namespace Cdd.Native.Rtnl;

/// <summary>One rtnetlink socket and the views over it, all bound to one network namespace.</summary>
public sealed class Rtnetlink : IDisposable
{
    readonly NetlinkSocket _socket;

    Rtnetlink(NetlinkSocket socket)
    {
        _socket = socket;
        Links = new RtnlLinks(socket);
        Addresses = new RtnlAddresses(socket);
        Routes = new RtnlRoutes(socket);
        Neighbours = new RtnlNeighbours(socket);
        Vfs = new RtnlVfs(socket);
    }

    public ILinks Links { get; }
    public IAddresses Addresses { get; }
    public IRoutes Routes { get; }
    public INeighbours Neighbours { get; }
    /// <summary>SR-IOV VF settings through a PF of this namespace.</summary>
    public RtnlVfs Vfs { get; }

    /// <summary>In the calling thread's namespace.</summary>
    public static Rtnetlink Open() => new(NetlinkSocket.Open());

    /// <summary>Inside <paramref name="ns"/>; usable from any thread afterwards.</summary>
    public static Rtnetlink OpenIn(NetNs ns) => new(ns.OpenNetlink());

    public void Dispose() => _socket.Dispose();
}

using System.Net;
using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Native.Namespaces;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Plumbing;

/// <summary>Puts the IPAM result on a pod interface: announcements armed, addresses, link up (the kernel announces), routes.</summary>
internal static class InterfaceSetup
{
    public static void Configure(Pod pod, Link link, CniResult ipam)
    {
        AnnounceOnUp(pod.Ns, link.Name, ipam);
        foreach (var ip in ipam.Ips)
            Kernel.Do(() => pod.Rtnl.Addresses.Add(link.Index, ip.Address, link.Name));
        Kernel.Do(() => pod.Rtnl.Links.SetUp(link.Index, true, link.Name));
        foreach (var r in ipam.Routes)
            Kernel.Do(() => pod.Rtnl.Routes.Add(ToKernelRoute(r, link.Index, ipam), link.Name));
    }

    /// <summary>
    /// Pod addresses move between pods and nodes, so peers must learn the new MAC at once. With
    /// arp_notify/ndisc_notify the kernel sends the gratuitous ARP / unsolicited NA itself when
    /// the link comes up; sending them from a packet socket costs a ~13 ms close() (the kernel
    /// waits out an RCU grace period) on every pod start.
    /// </summary>
    static void AnnounceOnUp(NetNs ns, string ifName, CniResult ipam)
    {
        bool v4 = ipam.Ips.Any(ip => ip.Address.Family == System.Net.Sockets.AddressFamily.InterNetwork);
        bool v6 = ipam.Ips.Any(ip => ip.Address.Family == System.Net.Sockets.AddressFamily.InterNetworkV6);
        try
        {
            ns.Run(() =>
            {
                var sysctl = new Sysctl();
                if (v4) sysctl.SetInterface("ipv4", ifName, "arp_notify", "1");
                if (v6) sysctl.SetInterface("ipv6", ifName, "ndisc_notify", "1");
            });
        }
        catch (ErrnoException e)
        {
            // Best effort: without it peers only wait until their caches age out.
            Console.Error.WriteLine($"cdd-cni: cannot enable address announcements on {ifName}: {e.Message}");
        }
    }

    /// <summary>A route without a gateway takes the gateway of the address of its family, as the reference plugins do.</summary>
    public static Route ToKernelRoute(CniRoute r, int index, CniResult ipam) => new()
    {
        Dst = r.Dst.Network(),
        Gateway = r.Gw ?? GatewayFor(r.Dst.Address, ipam),
        OutIndex = index,
        Priority = r.Priority,
        Mtu = r.Mtu,
        AdvMss = r.AdvMss,
        Scope = r.Scope is { } s ? (byte)s : null,
        Table = r.Table ?? 254,
    };

    static IPAddress? GatewayFor(IPAddress dst, CniResult ipam) =>
        ipam.Ips.FirstOrDefault(ip => ip.Gateway is not null && ip.Address.Family == dst.AddressFamily)?.Gateway;

    /// <summary>The result the runtime gets: our interface first, the IPAM addresses pointing at it.</summary>
    public static CniResult BuildResult(CniContext ctx, CniResult ipam, CniInterface podInterface, IEnumerable<CniInterface>? hostInterfaces = null)
    {
        var interfaces = new List<CniInterface>(hostInterfaces ?? []);
        int podIndex = interfaces.Count;
        interfaces.Add(podInterface);
        return new CniResult
        {
            Interfaces = interfaces,
            Ips = ipam.Ips.Select(ip => new CniIpConfig { Address = ip.Address, Gateway = ip.Gateway, Interface = podIndex }).ToList(),
            Routes = ipam.Routes,
            Dns = ipam.Dns ?? ctx.Config.Dns,
        };
    }
}

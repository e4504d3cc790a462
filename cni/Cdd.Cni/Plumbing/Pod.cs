using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native.Namespaces;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Plumbing;

/// <summary>The pod's network namespace and a netlink socket bound inside it.</summary>
internal sealed class Pod : IDisposable
{
    Pod(NetNs ns, Rtnetlink rtnl)
    {
        Ns = ns;
        Rtnl = rtnl;
    }

    public NetNs Ns { get; }
    public Rtnetlink Rtnl { get; }

    /// <summary>For ADD: the namespace must exist and CNI_IFNAME must be free in it.</summary>
    public static Pod OpenForAdd(CniContext ctx)
    {
        var pod = Open(ctx);
        if (Kernel.Do(() => pod.Rtnl.Links.Find(ctx.Env.IfName)) is null) return pod;
        pod.Dispose();
        throw new CniException(CniErrorCodes.InterfaceExists, $"interface {ctx.Env.IfName} already exists in {ctx.Env.Netns}");
    }

    /// <summary>For ADD and CHECK: a missing namespace is code 3.</summary>
    public static Pod Open(CniContext ctx) => Around(PodNamespace.Open(ctx));

    /// <summary>For DEL: null when no namespace was given or it is gone; the plugin's own namespace is refused (4).</summary>
    public static Pod? TryOpen(CniContext ctx) => PodNamespace.TryOpen(ctx) is { } ns ? Around(ns) : null;

    /// <summary>For GC: the namespace an attachment record names, or null when it is gone.</summary>
    public static Pod? TryOpen(string? netnsPath) => PodNamespace.TryOpen(netnsPath) is { } ns ? Around(ns) : null;

    static Pod Around(NetNs ns)
    {
        try
        {
            return new Pod(ns, Kernel.Do(() => Rtnetlink.OpenIn(ns)));
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Rtnl.Dispose();
        Ns.Dispose();
    }
}

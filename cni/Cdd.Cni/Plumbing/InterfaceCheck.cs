using Cdd.Cni.Contracts;
using Cdd.Cni.Spec;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Plumbing;

/// <summary>CHECK: compares the pod interface with what prevResult says it should be.</summary>
internal static class InterfaceCheck
{
    /// <summary>Returns the live link after verifying kind, MAC, MTU, addresses and routes.</summary>
    public static Link Verify(CniContext ctx, Rtnetlink pod, string? expectedKind)
    {
        var prev = ctx.PrevResult!;
        string ifName = ctx.Env.IfName;
        int idx = prev.Interfaces.FindIndex(i => i.Name == ifName && i.Sandbox == ctx.Env.Netns);
        if (idx < 0)
            throw Drift($"prevResult has no interface {ifName} in sandbox {ctx.Env.Netns}");
        var expected = prev.Interfaces[idx];

        var link = Kernel.Do(() => pod.Links.Find(ifName))
            ?? throw Drift($"interface {ifName} is missing from {ctx.Env.Netns}");
        if (expectedKind is not null && link.Kind != expectedKind)
            throw Drift($"interface {ifName} is a {link.Kind ?? "physical device"}, expected {expectedKind}");
        if (expected.Mac is { } mac && !string.Equals(link.Mac?.ToString(), mac, StringComparison.OrdinalIgnoreCase))
            throw Drift($"interface {ifName} has MAC {link.Mac}, prevResult says {mac}");
        if (expected.Mtu is { } mtu && link.Mtu != mtu)
            throw Drift($"interface {ifName} has MTU {link.Mtu}, prevResult says {mtu}");
        if (!link.IsUp)
            throw Drift($"interface {ifName} is down");

        var have = Kernel.Do(() => pod.Addresses.List(link.Index)).Select(a => a.Prefix.ToString()).ToHashSet();
        foreach (var ip in prev.Ips.Where(ip => ip.Interface == idx))
            if (!have.Contains(ip.Address.ToString()))
                throw Drift($"interface {ifName} lacks address {ip.Address}");

        var routes = Kernel.Do(() => pod.Routes.List());
        foreach (var r in prev.Routes)
        {
            var want = InterfaceSetup.ToKernelRoute(r, link.Index, prev);
            bool found = routes.Any(k => k.Dst.Equals(want.Dst) && Equals(k.Gateway, want.Gateway));
            if (!found)
                throw Drift($"route {r.Dst.Network()}{(want.Gateway is null ? "" : " via " + want.Gateway)} is missing from {ctx.Env.Netns}");
        }
        return link;
    }

    public static CniException Drift(string msg) => new(CniErrorCodes.CheckFailed, msg);
}

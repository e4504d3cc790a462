using System.Net.Sockets;
using Cdd.Cni.Contracts;
using Cdd.Cni.Plumbing;
using Cdd.Cni.Spec;
using Cdd.Native.Rtnl;
using Cdd.Net;

namespace Cdd.Cni.Macvlan;

/// <summary>
/// A macvlan on the node's master, created directly inside the pod namespace under a temporary
/// name and renamed there, so it never clashes with host interface names.
/// </summary>
internal sealed class MacvlanPlugin : IMode
{
    Link _master = null!;
    MacvlanSettings _s = null!;

    public void Validate(CniContext ctx)
    {
        var c = ctx.Config;
        _s = MacvlanSettings.Parse(ctx.RawConfig);
        if (ctx.Env.Command == CniCommand.Del) return; // DEL must work even when the master is gone

        using var host = Rtnetlink.Open();
        _master = FindMaster(host, _s.Master);
        if (c.Mtu is { } mtu && mtu > _master.Mtu)
            throw Invalid($"mtu {mtu} is above the MTU {_master.Mtu} of master {_master.Name}");
    }

    static Link FindMaster(Rtnetlink host, string? name)
    {
        if (name is not null)
        {
            if (!RtnlLinks.IsValidName(name)) throw Invalid($"master \"{name}\" is not a valid interface name");
            return Kernel.Do(() => host.Links.Find(name)) ?? throw Invalid($"master \"{name}\" does not exist on this node");
        }
        var routes = Kernel.Do(() => host.Routes.List());
        var def = routes.Where(r => r.IsDefault && r.OutIndex > 0)
                      .OrderBy(r => r.Dst.Family == AddressFamily.InterNetwork ? 0 : 1)
                      .ThenBy(r => r.Priority ?? 0)
                      .FirstOrDefault()
            ?? throw Invalid("master is not set and this node has no default route to take it from");
        return Kernel.Do(() => host.Links.Find(def.OutIndex))
            ?? throw Invalid($"master is not set and the default route's interface #{def.OutIndex} is gone");
    }

    public CniResult Add(CniContext ctx)
    {
        var c = ctx.Config;
        string ifName = ctx.Env.IfName;
        using var attachment = AttachmentLock.Take(ctx); // a DEL of this attachment waits for us (and our IPAM child)
        using var pod = Pod.OpenForAdd(ctx);

        using var undo = new Rollback();
        var ipamCall = IpamInFlight.Start(ctx);
        undo.Add("ipam allocation", ipamCall.Release);
        string tmp = PodNamespace.TemporaryName(ctx);
        MacAddress? mac = c.RuntimeConfig?.ParsedMac;
        using (var host = Rtnetlink.Open())
        {
            Kernel.Do(() => host.Links.Create(new MacvlanSpec(tmp, _master.Index, _s.Mode) { Mtu = c.Mtu, Mac = mac, Namespace = pod.Ns }));
        }
        var link = Kernel.Do(() => pod.Rtnl.Links.Get(tmp));
        undo.Add($"macvlan {tmp}", () => pod.Rtnl.Links.Delete(link.Index, tmp));
        LinkMark.Apply(pod.Rtnl, link, ctx);
        Kernel.Do(() => pod.Rtnl.Links.Rename(link.Index, ifName, tmp));

        var ipam = ipamCall.Wait();

        link = Kernel.Do(() => pod.Rtnl.Links.Get(ifName));
        InterfaceSetup.Configure(pod, link, ipam);

        var result = InterfaceSetup.BuildResult(ctx, ipam,
            new CniInterface { Name = ifName, Mac = link.Mac?.ToString(), Mtu = link.Mtu, Sandbox = ctx.Env.Netns });
        PodNamespace.EnsureStillThere(ctx, pod.Ns);
        undo.Commit();
        return result;
    }

    public void Del(CniContext ctx)
    {
        // The address is what leaks across nodes, so its release always runs (its error is the one reported);
        // the link goes meanwhile, and would die with the namespace anyway.
        // Opened first: a CNI_NETNS naming the node's own namespace is refused before anything is released or deleted.
        using var pod = Pod.TryOpen(ctx);
        using var attachment = AttachmentLock.Take(ctx); // waits for a running ADD of this attachment
        SideBySide.Run(() => ctx.Ipam.Del(ctx), () =>
        {
            if (pod is null) return;
            LinkCleanup.DeleteIfPresent(pod.Rtnl, ctx.Env.IfName, "macvlan", ctx, ctx.Env.Netns);
            LinkCleanup.DeleteIfPresent(pod.Rtnl, PodNamespace.TemporaryName(ctx), "macvlan", ctx, ctx.Env.Netns); // left by a killed ADD
        });
        attachment.RemoveFile();
    }

    public void Check(CniContext ctx)
    {
        using var pod = Pod.Open(ctx);
        var link = InterfaceCheck.Verify(ctx, pod.Rtnl, "macvlan");
        if (link.MacvlanMode != _s.Mode)
            throw InterfaceCheck.Drift($"interface {link.Name} is in macvlan mode {link.MacvlanMode?.ToString().ToLowerInvariant()}, config says {_s.ModeName}");
        ctx.Ipam.Check(ctx);
    }

    public void Status(CniContext ctx)
    {
        using var host = Rtnetlink.Open();
        Link master;
        try
        {
            master = FindMaster(host, MacvlanSettings.Parse(ctx.RawConfig).Master);
        }
        catch (CniException e)
        {
            throw new CniException(CniErrorCodes.PluginNotAvailable, e.Msg);
        }
        if (!master.IsUp)
            throw new CniException(CniErrorCodes.PluginNotAvailable, $"master {master.Name} is down");
        if (!master.HasCarrier)
            throw new CniException(CniErrorCodes.PluginNotAvailableLimitedConnectivity, $"master {master.Name} has no carrier");
    }

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

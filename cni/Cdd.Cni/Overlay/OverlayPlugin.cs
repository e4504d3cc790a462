using Cdd.Cni.Contracts;
using Cdd.Cni.Plumbing;
using Cdd.Cni.Spec;
using Cdd.Native.Rtnl;
using Cdd.Net;

namespace Cdd.Cni.Overlay;

/// <summary>
/// A veth pair from the pod into the node bridge; the bridge reaches the other nodes through a
/// VXLAN device with head-end replication (see <see cref="NodeFabric"/>).
/// </summary>
internal sealed class OverlayPlugin : IMode
{
    OverlaySettings _s = null!;

    public void Validate(CniContext ctx)
    {
        if (ctx.Env.Command == CniCommand.Del) return; // DEL must work even when the underlay is gone
        using var host = Rtnetlink.Open();
        _s = OverlaySettings.From(ctx.Config, ctx.RawConfig, host);
    }

    /// <summary>The host end's name, derived from the attachment so DEL finds it without state.</summary>
    public static string HostVethName(CniContext ctx) => PodNamespace.AttachmentName(ctx, "cddv");

    public CniResult Add(CniContext ctx)
    {
        string ifName = ctx.Env.IfName;
        using var attachment = AttachmentLock.Take(ctx); // a DEL of this attachment waits for us (and our IPAM child)
        using var pod = Pod.OpenForAdd(ctx);

        using var host = Rtnetlink.Open(); // before the rollback: its undo steps use this socket
        using var undo = new Rollback();
        var ipamCall = IpamInFlight.Start(ctx);
        undo.Add("ipam allocation", ipamCall.Release);
        var bridge = NodeFabric.Ensure(ctx, host, _s);
        string hostName = HostVethName(ctx);
        string tmp = PodNamespace.TemporaryName(ctx);
        MacAddress? mac = ctx.Config.RuntimeConfig?.ParsedMac;
        Kernel.Do(() => host.Links.Create(new VethSpec(hostName, tmp) { Mtu = _s.Mtu, PeerNamespace = pod.Ns, PeerMac = mac }));
        var hostEnd = Kernel.Do(() => host.Links.Get(hostName));
        undo.Add($"veth {hostName}", () => host.Links.Delete(hostEnd.Index, hostName)); // the pod end goes with it

        LinkMark.Apply(host, hostEnd, ctx);
        var podEnd = Kernel.Do(() => pod.Rtnl.Links.Get(tmp));
        LinkMark.Apply(pod.Rtnl, podEnd, ctx);
        Kernel.Do(() => pod.Rtnl.Links.Rename(podEnd.Index, ifName, tmp));
        Kernel.Do(() => host.Links.SetMaster(hostEnd.Index, bridge.Index, hostName));
        Kernel.Do(() => host.Links.SetUp(hostEnd.Index, true, hostName));

        var ipam = ipamCall.Wait();

        podEnd = Kernel.Do(() => pod.Rtnl.Links.Get(ifName));
        InterfaceSetup.Configure(pod, podEnd, ipam);

        hostEnd = Kernel.Do(() => host.Links.Get(hostName));
        var result = InterfaceSetup.BuildResult(ctx, ipam,
            new CniInterface { Name = ifName, Mac = podEnd.Mac?.ToString(), Mtu = podEnd.Mtu, Sandbox = ctx.Env.Netns },
            [new CniInterface { Name = hostName, Mac = hostEnd.Mac?.ToString(), Mtu = hostEnd.Mtu }]);
        PodNamespace.EnsureStillThere(ctx, pod.Ns);
        undo.Commit();
        return result;
    }

    public void Del(CniContext ctx)
    {
        // The address is released while the kernel tears the veth down; its error is the one reported.
        // Opened first: a CNI_NETNS naming the node's own namespace is refused before anything is released or deleted.
        using var pod = Pod.TryOpen(ctx);
        using var attachment = AttachmentLock.Take(ctx); // waits for a running ADD of this attachment
        SideBySide.Run(() => ctx.Ipam.Del(ctx), () =>
        {
            using (var host = Rtnetlink.Open())
                LinkCleanup.DeleteIfPresent(host, HostVethName(ctx), "veth", ctx, "the node's namespace");
            if (pod is null) return;
            // Normally gone with its host end; these catch a pod end left by a killed ADD.
            LinkCleanup.DeleteIfPresent(pod.Rtnl, ctx.Env.IfName, "veth", ctx, ctx.Env.Netns);
            LinkCleanup.DeleteIfPresent(pod.Rtnl, PodNamespace.TemporaryName(ctx), "veth", ctx, ctx.Env.Netns);
        });
        attachment.RemoveFile();
    }

    public void Check(CniContext ctx)
    {
        using var pod = Pod.Open(ctx);
        InterfaceCheck.Verify(ctx, pod.Rtnl, "veth");
        using var host = Rtnetlink.Open();
        string hostName = HostVethName(ctx);
        var hostEnd = Kernel.Do(() => host.Links.Find(hostName))
            ?? throw InterfaceCheck.Drift($"host end {hostName} of {ctx.Env.IfName} is missing");
        var bridge = Kernel.Do(() => host.Links.Find(_s.Bridge))
            ?? throw InterfaceCheck.Drift($"bridge {_s.Bridge} is missing from this node");
        if (hostEnd.MasterIndex != bridge.Index)
            throw InterfaceCheck.Drift($"host end {hostName} is not attached to bridge {_s.Bridge}");
        var vx = Kernel.Do(() => host.Links.Find(_s.Vxlan));
        if (vx is null || vx.MasterIndex != bridge.Index || !vx.IsUp)
            throw InterfaceCheck.Drift($"{_s.Vxlan} is missing, down or not attached to bridge {_s.Bridge}");
        ctx.Ipam.Check(ctx);
    }

    public void Status(CniContext ctx)
    {
        OverlaySettings s;
        using var host = Rtnetlink.Open();
        try
        {
            s = OverlaySettings.From(ctx.Config, ctx.RawConfig, host);
        }
        catch (CniException e)
        {
            throw new CniException(CniErrorCodes.PluginNotAvailable, e.Msg);
        }
        if (!s.Underlay.IsUp)
            throw new CniException(CniErrorCodes.PluginNotAvailable, $"underlay {s.Underlay.Name} is down");
        if (NodeFabric.Conflict(host, s) is { } conflict)
            throw new CniException(CniErrorCodes.PluginNotAvailable, conflict);
        if (!s.Underlay.HasCarrier)
            throw new CniException(CniErrorCodes.PluginNotAvailableLimitedConnectivity, $"underlay {s.Underlay.Name} has no carrier: pods would reach only this node");
    }
}

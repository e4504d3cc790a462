using Cdd.Cni.Contracts;
using Cdd.Cni.Plumbing;
using Cdd.Cni.Spec;
using Cdd.Native;
using Cdd.Native.Rtnl;
using Cdd.Net;

namespace Cdd.Cni.Overlay;

/// <summary>
/// The per-node part of the overlay, shared by every pod: the bridge, the VXLAN device attached
/// to it and the head-end replication entries (one all-zero FDB entry per peer VTEP). Made once
/// and reconciled on each ADD under a file lock, so concurrent ADDs never race on it.
/// </summary>
internal static class NodeFabric
{
    static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <returns>The bridge.</returns>
    public static Link Ensure(CniContext ctx, Rtnetlink host, OverlaySettings s)
    {
        using var _ = Lock(ctx, s);
        if (Conflict(host, s) is { } conflict) throw new CniException(CniErrorCodes.InvalidNetworkConfig, conflict);
        var bridge = Kernel.Do(() => host.Links.Find(s.Bridge));
        if (bridge is null)
        {
            Kernel.Do(() => host.Links.Create(new BridgeSpec(s.Bridge) { Mtu = s.Mtu }));
            bridge = Kernel.Do(() => host.Links.Get(s.Bridge));
        }
        if (!bridge.IsUp) Kernel.Do(() => host.Links.SetUp(bridge.Index, true, s.Bridge));

        var vx = Kernel.Do(() => host.Links.Find(s.Vxlan));
        if (vx is null)
        {
            Kernel.Do(() => host.Links.Create(new VxlanSpec(s.Vxlan, s.Vni)
            {
                Port = s.Port, UnderlayIndex = s.Underlay.Index, Local = s.Local, Mtu = s.Mtu, Learning = true,
            }));
            vx = Kernel.Do(() => host.Links.Get(s.Vxlan));
        }
        if (vx.MasterIndex != bridge.Index) Kernel.Do(() => host.Links.SetMaster(vx.Index, bridge.Index, s.Vxlan));
        if (!vx.IsUp) Kernel.Do(() => host.Links.SetUp(vx.Index, true, s.Vxlan));

        ReconcilePeers(host, vx.Index, s);
        return bridge;
    }

    /// <summary>What keeps this node's existing links from serving the config: a bridge name taken by another kind of link, a VXLAN device made with other settings.</summary>
    public static string? Conflict(Rtnetlink host, OverlaySettings s)
    {
        var bridge = Kernel.Do(() => host.Links.Find(s.Bridge));
        if (bridge is not null && bridge.Kind != "bridge")
            return $"bridge \"{s.Bridge}\" exists on this node but is a {bridge.Kind ?? "physical device"}, not a bridge";
        var vx = Kernel.Do(() => host.Links.Find(s.Vxlan));
        if (vx is not null && (vx.Kind != "vxlan" || vx.VxlanId != s.Vni || vx.VxlanPort != s.Port || !Equals(vx.VxlanLocal, s.Local)))
            return $"{s.Vxlan} exists on this node with vni {vx.VxlanId}, port {vx.VxlanPort}, local {vx.VxlanLocal}; config wants vni {s.Vni}, port {s.Port}, local {s.Local}";
        return null;
    }

    /// <summary>The config's peer list is the truth: add what is missing, drop peers no longer listed.</summary>
    static void ReconcilePeers(Rtnetlink host, int vxlan, OverlaySettings s)
    {
        var present = Kernel.Do(() => host.Neighbours.ListFdb(vxlan))
            .Where(e => e.Mac.IsZero && e.Dst is not null).Select(e => e.Dst!).ToList();
        foreach (var peer in s.Peers.Where(p => !present.Contains(p)))
            Kernel.Do(() => host.Neighbours.AppendFdb(vxlan, MacAddress.Zero, peer, s.Vxlan));
        foreach (var stale in present.Where(p => !s.Peers.Contains(p)))
            Kernel.Do(() => host.Neighbours.DeleteFdb(vxlan, MacAddress.Zero, stale, s.Vxlan));
    }

    static FileLock Lock(CniContext ctx, OverlaySettings s)
    {
        try
        {
            return FileLock.Acquire(Path.Combine(ctx.StateDir, "locks", $"overlay-{s.Bridge}.lock"), LockTimeout);
        }
        catch (ErrnoException e) when (e.Errno == Errno.ETIMEDOUT)
        {
            throw new CniException(CniErrorCodes.TryAgainLater, $"another ADD has held the overlay lock of {s.Bridge} for {LockTimeout.TotalSeconds} s", e.Message);
        }
        catch (ErrnoException e)
        {
            throw new CniException(CniErrorCodes.IoFailure, $"cannot take the overlay lock in {ctx.StateDir}", e.Message);
        }
    }
}

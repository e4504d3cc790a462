using System.Net;
using System.Net.Sockets;
using Cdd.Cni.Plumbing;
using Cdd.Cni.Spec;
using Cdd.Cni.Spec.Json;
using Cdd.Native.Rtnl;

namespace Cdd.Cni.Overlay;

/// <summary>The overlay fields of the config, checked against this node's underlay.</summary>
internal sealed record OverlaySettings(string Bridge, string Vxlan, uint Vni, ushort Port, Link Underlay, IPAddress Local, int Mtu, IReadOnlyList<IPAddress> Peers)
{
    public const int MaxVni = (1 << 24) - 1;

    /// <summary>Outer Ethernet + IP + UDP + VXLAN headers.</summary>
    public static int Overhead(AddressFamily underlay) => underlay == AddressFamily.InterNetwork ? 50 : 70;

    public static string VxlanName(uint vni) => $"cddvx{vni}";

    /// <summary>Reads and checks the config; the underlay lookups need the node's namespace.</summary>
    public static OverlaySettings From(NetConf common, byte[] raw, Rtnetlink host)
    {
        var c = NetConfParser.ParseModeFields(raw, OverlayJsonContext.Default.OverlayConf);
        string bridge = c.Bridge ?? "cdd0";
        if (!IsOwnLinkName(bridge))
            throw Invalid($"bridge \"{bridge}\" is not a name cdd-cni gives a bridge: 1-15 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit");
        if (c.Vni is not { } vni) throw Invalid("vni is required for mode overlay (1-16777215)");
        if (vni is < 1 or > MaxVni) throw Invalid($"vni {vni} is out of range (1-16777215)");
        int port = c.VxlanPort ?? 4789;
        if (port is < 1 or > 65535) throw Invalid($"vxlanPort {port} is out of range (1-65535)");

        Link underlay;
        if (c.Underlay is { } name)
        {
            if (!RtnlLinks.IsValidName(name)) throw Invalid($"underlay \"{name}\" is not a valid interface name");
            underlay = Kernel.Do(() => host.Links.Find(name)) ?? throw Invalid($"underlay \"{name}\" does not exist on this node");
        }
        else
        {
            var def = Kernel.Do(() => host.Routes.List(AddressFamily.InterNetwork)).FirstOrDefault(r => r.IsDefault && r.OutIndex > 0)
                ?? throw Invalid("underlay is not set and this node has no IPv4 default route to take it from");
            underlay = Kernel.Do(() => host.Links.Find(def.OutIndex)) ?? throw Invalid($"underlay #{def.OutIndex} is gone");
        }

        var own = Kernel.Do(() => host.Addresses.List(underlay.Index)).Where(a => a.Scope == 0).Select(a => a.Prefix.Address).ToList();
        IPAddress local;
        if (c.LocalAddress is { } la)
        {
            if (!IPAddress.TryParse(la, out var parsed)) throw Invalid($"localAddress \"{la}\" is not an IP address");
            if (!own.Contains(parsed)) throw Invalid($"localAddress {parsed} is not an address of underlay {underlay.Name}");
            local = parsed;
        }
        else
        {
            local = own.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw Invalid($"underlay {underlay.Name} has no global address to use as the VXLAN source; set localAddress");
        }

        var peers = new List<IPAddress>();
        foreach (var (p, i) in (c.Peers ?? []).Select((p, i) => (p, i)))
        {
            if (p is null || !IPAddress.TryParse(p, out var peer) || peer.ToString() != p && !IsIpv6Spelling(p, peer))
                throw Invalid($"peers[{i}] \"{p}\" is not an IP address");
            if (peer.AddressFamily != local.AddressFamily) throw Invalid($"peers[{i}] {peer} is not of the same family as the local address {local}");
            if (WhyNotAPeer(peer) is { } why) throw Invalid($"peers[{i}] {peer} {why}: each peer is one node's unicast underlay address");
            if (peers.Contains(peer) || c.Peers!.Take(i).Any(q => q == p)) throw Invalid($"peers[{i}] {peer} is listed twice");
            // One conflist serves every node: a node skips itself (it still counts for the duplicate check above).
            if (!own.Contains(peer)) peers.Add(peer);
        }

        int overhead = Overhead(local.AddressFamily);
        int maxMtu = underlay.Mtu - overhead;
        int mtu = common.Mtu ?? maxMtu;
        if (mtu > maxMtu) throw Invalid($"mtu {mtu} is above what underlay {underlay.Name} carries: its MTU {underlay.Mtu} minus {overhead} bytes of VXLAN headers = {maxMtu}");

        return new OverlaySettings(bridge, VxlanName((uint)vni), (uint)vni, (ushort)port, underlay, local, mtu, peers);
    }

    /// <summary>Names cdd-cni creates on the node: ASCII only, no leading '-' (iproute2 would read it as an option).</summary>
    static bool IsOwnLinkName(string name) =>
        RtnlLinks.IsValidName(name) && char.IsAsciiLetterOrDigit(name[0])
        && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.');

    static bool IsIpv6Spelling(string text, IPAddress parsed) => parsed.AddressFamily == AddressFamily.InterNetworkV6 && !text.Contains('%');

    /// <summary>Addresses that are no single node: a head-end replication entry for them would flood or go nowhere.</summary>
    static string? WhyNotAPeer(IPAddress a)
    {
        if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)) return "is the unspecified address";
        if (IPAddress.IsLoopback(a)) return "is a loopback address";
        if (a.Equals(IPAddress.Broadcast)) return "is the broadcast address";
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            byte first = a.GetAddressBytes()[0];
            if (first is >= 224 and <= 239) return "is a multicast address";
            if (first >= 240) return "is in the reserved 240.0.0.0/4";
            if (first == 0) return "is in 0.0.0.0/8, which names no host";
        }
        else if (a.IsIPv6Multicast) return "is a multicast address";
        return null;
    }

    static CniException Invalid(string msg) => new(CniErrorCodes.InvalidNetworkConfig, msg);
}

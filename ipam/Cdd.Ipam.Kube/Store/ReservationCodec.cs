using System.Net;
using System.Net.Sockets;
using Cdd.Ipam.Config;
using Cdd.Ipam.Kube.Resources;
using Cdd.Ipam.Model;
using Cdd.Ipam.Store;
using k8s.Models;

namespace Cdd.Ipam.Kube.Store;

/// <summary>
/// Maps a <see cref="Reservation"/> to its IPReservation object and back. What comes back from the API server is
/// checked like any other input: anyone with RBAC on the CRD can write one.
/// </summary>
internal static class ReservationCodec
{
    public static IpReservationObject Encode(Reservation r, IPAddress? gateway)
    {
        var labels = new Dictionary<string, string> { [CddResources.PoolLabel] = r.Pool, [CddResources.SegmentLabel] = r.Segment };
        if (r.Fixed is { } f) labels[CddResources.FixedLabel] = FixedLabelOf(f);
        // A node name may be longer than a label value allows (253 vs 63); then the spec alone names it.
        if (r.Node != "" && Names.IsLabelValue(r.Node)) labels[CddResources.NodeLabel] = r.Node;
        return new IpReservationObject
        {
            Metadata = new V1ObjectMeta { Name = r.Name, Labels = labels },
            Spec = new IpReservationSpec
            {
                Pool = r.Pool,
                Segment = r.Segment,
                Address = r.Address.ToString(),
                Vlan = r.Vlan,
                Gateway = gateway?.ToString(),
                Node = r.Node == "" ? null : r.Node,
                Owner = OwnerJson.From(r.Owner),
                Fixed = FixedJson.From(r.Fixed),
            },
        };
    }

    /// <summary>The fixed identity as a label value: 40 hex digits of its SHA-256 (an identity may be longer than a label allows).</summary>
    public static string FixedLabelOf(FixedIdentity f)
    {
        string text = f.StatefulSet is not null ? $"sts\n{f.Namespace}\n{f.StatefulSet}\n{f.Ordinal}" : $"key\n{f.Namespace}\n{f.Key}";
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..40];
    }

    /// <summary>"uid/resourceVersion": a replace or delete must match both, so an object deleted and created again
    /// under the same name (the address freed and claimed by someone else) never matches an old copy.</summary>
    public static string VersionOf(V1ObjectMeta meta) => $"{meta.Uid}/{meta.ResourceVersion}";

    public static bool TryParseVersion(string? version, out string uid, out string resourceVersion)
    {
        uid = resourceVersion = "";
        int slash = version?.IndexOf('/') ?? -1;
        if (slash <= 0 || slash == version!.Length - 1) return false;
        uid = version[..slash];
        resourceVersion = version[(slash + 1)..];
        return true;
    }

    /// <summary>
    /// The reservation an object holds for <paramref name="pool"/>, or null when the object names no address of it.
    /// An object whose spec does not validate still holds the address its name encodes: it comes back owner-less and
    /// unversioned, so it is never handed out and never freed by a DEL, only reported.
    /// </summary>
    public static Reservation? Decode(IpReservationObject o, string pool, out string? problem)
    {
        problem = null;
        string name = o.Metadata?.Name ?? "";
        try
        {
            return Validated(o, pool);
        }
        catch (FormatException e)
        {
            problem = $"IPReservation {name}: {e.Message}";
            var address = AddressFromName(name, pool);
            return address is null ? null : new Reservation { Pool = pool, Segment = o.Spec?.Segment ?? "", Address = address };
        }
    }

    static Reservation Validated(IpReservationObject o, string pool)
    {
        var meta = o.Metadata ?? throw new FormatException("metadata is missing");
        var s = o.Spec ?? throw new FormatException("spec is missing");
        if (s.Pool != pool) throw new FormatException($"spec.pool \"{s.Pool}\" is not {pool} (its {CddResources.PoolLabel} label)");
        if (s.Address is null || !IPAddress.TryParse(s.Address, out var address) || s.Address.Contains('%')
            || (address.AddressFamily == AddressFamily.InterNetwork && s.Address.Count(c => c == '.') != 3))
            throw new FormatException($"spec.address \"{s.Address}\" is not an IP address");
        if (Reservation.NameOf(pool, address) != meta.Name)
            throw new FormatException($"spec.address {address} does not match the object's name (expected {Reservation.NameOf(pool, address)})");
        if (!Names.IsDnsLabel(s.Segment)) throw new FormatException($"spec.segment \"{s.Segment}\" {Names.DnsLabelRule}");
        int vlan = s.Vlan ?? 0;
        if (vlan is < 0 or > 4094) throw new FormatException($"spec.vlan {vlan} is out of range (0..4094)");
        if (meta.Uid is null || meta.ResourceVersion is null) throw new FormatException("metadata.uid or metadata.resourceVersion is missing");

        var owner = s.Owner?.ToOwner("spec.owner");
        var fixedId = s.Fixed?.ToIdentity("spec.fixed");

        return new Reservation
        {
            Pool = pool,
            Segment = s.Segment!,
            Address = address,
            Vlan = vlan,
            Owner = owner,
            Fixed = fixedId,
            Node = s.Node ?? "",
            Version = VersionOf(meta),
        };
    }

    /// <summary>Inverts <see cref="Reservation.NameOf"/>: "POOL-10-0-0-5" is 10.0.0.5, "POOL-fd00--5" is fd00::5.</summary>
    internal static IPAddress? AddressFromName(string name, string pool)
    {
        if (!name.StartsWith(pool + "-", StringComparison.Ordinal)) return null;
        string rest = name[(pool.Length + 1)..];
        var parts = rest.Split('-');
        if (parts.Length == 4 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit))
            && IPAddress.TryParse(string.Join('.', parts), out var v4) && v4.AddressFamily == AddressFamily.InterNetwork)
            return v4;
        return IPAddress.TryParse(rest.Replace('-', ':'), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
    }
}

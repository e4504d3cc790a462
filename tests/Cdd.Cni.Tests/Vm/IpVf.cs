using System.Text.Json;

namespace Cdd.Cni.Tests.Vm;

/// <summary>
/// One VF of a PF as iproute2 reads it back over rtnetlink (<c>ip -j -d link show PF</c>, its <c>vfinfo_list</c>): the
/// oracle for what cdd-cni set through the PF, independent of our own netlink code. Rates are in Mbit/s, 0 = no limit.
/// iproute2 prints a VLAN protocol only when it is neither 0 nor 802.1Q, so <see cref="VlanProtocol"/> is "802.1Q" both
/// for 802.1Q and for netdevsim's initial 0 (set by nobody).
/// </summary>
public sealed record IpVf(
    int Vf,
    string Mac,
    int Vlan,
    int Qos,
    string VlanProtocol,
    bool SpoofCheck,
    bool Trust,
    string LinkState,
    long MinTxRate,
    long MaxTxRate,
    bool QueryRss)
{
    /// <summary>The settings of a VF nobody has touched on a fresh netdevsim device (all zero).</summary>
    public static IpVf Initial(int vf) => new(vf, "00:00:00:00:00:00", 0, 0, "802.1Q", false, false, "auto", 0, 0, false);

    /// <summary>Runs <c>ip -j -d link show <paramref name="pf"/></c> in the guest and parses its VFs, ordered by index.</summary>
    public static IReadOnlyList<IpVf> Read(Cdd.Vm.Vm vm, string pf)
    {
        var r = vm.Run($"ip -j -d link show dev {pf}").EnsureSuccess($"read the VFs of {pf} in the guest");
        return Parse(r.Stdout);
    }

    /// <summary>Parses the JSON of <c>ip -j -d link show</c> for one link; a link without VFs gives an empty list.</summary>
    public static IReadOnlyList<IpVf> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.GetArrayLength() != 1)
            throw new FormatException($"expected one link, got {doc.RootElement.GetArrayLength()}: {json}");
        if (!doc.RootElement[0].TryGetProperty("vfinfo_list", out var list)) return [];
        return list.EnumerateArray().Select(ParseVf).OrderBy(v => v.Vf).ToList();
    }

    static IpVf ParseVf(JsonElement vf)
    {
        // vlan_list holds one object; vlan, qos and protocol are left out when 0 (protocol also when 802.1Q).
        var vlan = vf.TryGetProperty("vlan_list", out var vl) && vl.GetArrayLength() > 0 ? vl[0] : default;
        var rate = vf.GetProperty("rate");
        return new IpVf(
            vf.GetProperty("vf").GetInt32(),
            vf.GetProperty("address").GetString()!,
            Int(vlan, "vlan"),
            Int(vlan, "qos"),
            vlan.ValueKind == JsonValueKind.Object && vlan.TryGetProperty("protocol", out var p) ? p.GetString()! : "802.1Q",
            vf.GetProperty("spoofchk").GetBoolean(),
            vf.GetProperty("trust").GetBoolean(),
            vf.GetProperty("link_state").GetString()!,
            rate.GetProperty("min_tx").GetInt64(),
            rate.GetProperty("max_tx").GetInt64(),
            vf.TryGetProperty("query_rss_en", out var q) && q.GetBoolean());
    }

    static int Int(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) ? v.GetInt32() : 0;
}

using System.Globalization;
using System.Net;
using Cdd.Csi.Errors;
using Cdd.Csi.Node;

namespace Cdd.Csi.San;

/// <summary>
/// What ControllerPublish tells the node about a LUN, and NodeStage checks field by field before anything reaches
/// iscsiadm or sysfs: each bad field is INVALID_ARGUMENT naming it.
/// </summary>
internal sealed record PublishContext(string Transport, string? TargetIqn, IReadOnlyList<IPEndPoint> Portals, int Lun, string Wwid, string Serial)
{
    public const string TransportKey = "transport", TargetKey = "targetIqn", PortalsKey = "portals", LunKey = "lun", WwidKey = "wwid", SerialKey = "serial";
    public const string Iscsi = "iscsi", Fc = "fc";
    static readonly string[] Keys = [TransportKey, TargetKey, PortalsKey, LunKey, WwidKey, SerialKey];

    /// <summary>SAM's flat LUN space that Linux scans: 0..16383.</summary>
    public const int MaxLun = 16383;

    public Dictionary<string, string> ToMap()
    {
        var m = new Dictionary<string, string>
        {
            [TransportKey] = Transport,
            [LunKey] = Lun.ToString(CultureInfo.InvariantCulture),
            [WwidKey] = Wwid,
            [SerialKey] = Serial,
        };
        if (TargetIqn is not null) m[TargetKey] = TargetIqn;
        if (Portals.Count > 0) m[PortalsKey] = string.Join(',', Portals.Select(Portal));
        return m;
    }

    public static string Portal(IPEndPoint p) => p.ToString();

    public static PublishContext Parse(IReadOnlyDictionary<string, string> m)
    {
        foreach (var key in m.Keys)
            if (!Keys.Contains(key)) throw CsiException.Invalid($"publish_context {key} is unknown; known: {string.Join(", ", Keys)}");
        string transport = Get(m, TransportKey);
        if (transport is not (Iscsi or Fc)) throw CsiException.Invalid($"publish_context {TransportKey} \"{transport}\" is not iscsi or fc");
        string lunText = Get(m, LunKey);
        if (!int.TryParse(lunText, NumberStyles.None, CultureInfo.InvariantCulture, out int lun) || lun > MaxLun)
            throw CsiException.Invalid($"publish_context {LunKey} \"{lunText}\" is not a LUN number 0..{MaxLun}");
        string wwid = Get(m, WwidKey);
        if (!San.Wwid.IsValid(wwid)) throw CsiException.Invalid($"publish_context {WwidKey} \"{wwid}\" is not an NAA WWID (3 + 16 or 32 hex digits)");
        string serial = Get(m, SerialKey);
        if (!IsSerial(serial)) throw CsiException.Invalid($"publish_context {SerialKey} is not 1..64 printable ASCII characters without spaces");
        string? target = null;
        var portals = new List<IPEndPoint>();
        if (transport == Iscsi)
        {
            target = Get(m, TargetKey);
            if (!Initiators.IsIqn(target)) throw CsiException.Invalid($"publish_context {TargetKey} \"{target}\" is not an iSCSI name");
            foreach (var p in Get(m, PortalsKey).Split(','))
                portals.Add(ParsePortal(p) ?? throw CsiException.Invalid($"publish_context {PortalsKey} entry \"{p}\" is not address:port"));
            if (portals.Distinct().Count() != portals.Count) throw CsiException.Invalid($"publish_context {PortalsKey} names a portal twice");
        }
        else if (m.ContainsKey(TargetKey) || m.ContainsKey(PortalsKey))
            throw CsiException.Invalid($"publish_context {TargetKey} and {PortalsKey} are for iscsi, not fc");
        return new PublishContext(transport, target, portals, lun, wwid, serial);
    }

    public static IPEndPoint? ParsePortal(string s) =>
        IPEndPoint.TryParse(s, out var ep) && ep.Port > 0 ? ep : null;

    /// <summary>VPD page 0x80 holds printable ASCII; ours are 32 hex digits, an array's may be anything printable.</summary>
    public static bool IsSerial(string s) => s.Length is > 0 and <= 64 && s.All(c => c is > ' ' and < '\u007f');

    static string Get(IReadOnlyDictionary<string, string> m, string key) =>
        m.TryGetValue(key, out var v) && v.Length > 0 ? v : throw CsiException.Invalid($"publish_context {key} is required");
}

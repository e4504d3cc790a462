using System.Text.RegularExpressions;

namespace Cdd.Csi.Node;

/// <summary>
/// This node's SAN identities, which ControllerPublish masks a LUN to: the iSCSI initiator name open-iscsi uses
/// (<c>/etc/iscsi/initiatorname.iscsi</c>) and the FC HBAs' port WWNs (<c>/sys/class/fc_host/*/port_name</c>). Both
/// roots are parameters so tests read a fake tree.
/// </summary>
internal sealed partial record Initiators(string? Iqn, IReadOnlyList<string> Wwpns)
{
    public static Initiators Read(string etcRoot = "/etc", string sysRoot = "/sys")
    {
        string? iqn = null;
        string file = Path.Combine(etcRoot, "iscsi/initiatorname.iscsi");
        if (File.Exists(file))
            foreach (var raw in File.ReadLines(file))
            {
                string line = raw.Trim();
                if (line.StartsWith('#') || !line.StartsWith("InitiatorName=", StringComparison.Ordinal)) continue;
                string value = line["InitiatorName=".Length..].Trim();
                if (!IsIqn(value)) throw new InvalidOperationException($"{file}: InitiatorName \"{value}\" is not an iqn./eui./naa. name");
                iqn = value;
            }
        var wwpns = new List<string>();
        string fc = Path.Combine(sysRoot, "class/fc_host");
        if (Directory.Exists(fc))
            foreach (var host in Directory.EnumerateDirectories(fc).Order(StringComparer.Ordinal))
            {
                string port = Path.Combine(host, "port_name");
                if (!File.Exists(port)) continue;
                string w = File.ReadAllText(port).Trim();
                if (!IsWwpn(w)) throw new InvalidOperationException($"{port}: \"{w}\" is not a 0x-prefixed 64-bit WWN");
                wwpns.Add(w.ToLowerInvariant());
            }
        return new Initiators(iqn, wwpns);
    }

    /// <summary>RFC 3720 names: iqn.yyyy-mm.reverse.domain[:anything], eui.16hex, naa.16 or 32 hex; at most 223 bytes.</summary>
    public static bool IsIqn(string s) => s.Length <= 223 && IqnPattern().IsMatch(s);

    public static bool IsWwpn(string s) => WwpnPattern().IsMatch(s);

    [GeneratedRegex(@"^(iqn\.[0-9]{4}-[0-9]{2}\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9.:-]+)?|eui\.[0-9a-fA-F]{16}|naa\.([0-9a-fA-F]{16}|[0-9a-fA-F]{32}))$")]
    private static partial Regex IqnPattern();

    [GeneratedRegex("^0x[0-9a-fA-F]{16}$")]
    private static partial Regex WwpnPattern();
}

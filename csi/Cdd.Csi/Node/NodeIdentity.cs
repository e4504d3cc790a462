using Cdd.Csi.Errors;

namespace Cdd.Csi.Node;

/// <summary>
/// The node ID a SAN node reports, so that ControllerPublish (which gets nothing else about the node) knows whom to mask
/// the LUN to: <c>&lt;node&gt;;iqn=&lt;iqn&gt;;wwpn=&lt;w1&gt;,&lt;w2&gt;</c>. Node names, IQNs and WWNs cannot hold ';' or '='.
/// An LVM node reports its bare name.
/// </summary>
internal sealed record NodeIdentity(string Node, string? Iqn, IReadOnlyList<string> Wwpns)
{
    /// <summary>The CSI limit on node_id.</summary>
    public const int MaxBytes = 256;

    public override string ToString()
    {
        var parts = new List<string> { Node };
        if (Iqn is not null) parts.Add("iqn=" + Iqn);
        if (Wwpns.Count > 0) parts.Add("wwpn=" + string.Join(',', Wwpns));
        return string.Join(';', parts);
    }

    /// <summary>INVALID_ARGUMENT naming node_id for anything but that shape.</summary>
    public static NodeIdentity Parse(string nodeId)
    {
        if (string.IsNullOrEmpty(nodeId)) throw CsiException.Invalid("node_id is required");
        if (nodeId.Length > MaxBytes) throw CsiException.Invalid($"node_id is longer than {MaxBytes} bytes");
        var parts = nodeId.Split(';');
        string node = parts[0];
        if (!IsNodeName(node)) throw CsiException.Invalid($"node_id: node name \"{node}\" is not a DNS subdomain name");
        string? iqn = null;
        var wwpns = new List<string>();
        foreach (var part in parts.Skip(1))
        {
            if (part.StartsWith("iqn=", StringComparison.Ordinal) && iqn is null && Initiators.IsIqn(part[4..])) iqn = part[4..];
            else if (part.StartsWith("wwpn=", StringComparison.Ordinal) && wwpns.Count == 0 && part[5..].Split(',').All(Initiators.IsWwpn))
                wwpns.AddRange(part[5..].Split(',').Select(w => w.ToLowerInvariant()));
            else throw CsiException.Invalid($"node_id: \"{part}\" is not iqn=<iSCSI name> or wwpn=<0x WWN>[,...]");
        }
        return new NodeIdentity(node, iqn, wwpns);
    }

    static bool IsNodeName(string s) =>
        s.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]) &&
        s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');
}

using System.Net;
using System.Net.Sockets;
using Cdd.Ipam.Addressing;
using Cdd.Ipam.Model;
using Cdd.Net;

namespace Cdd.Ipam.Config;

/// <summary>
/// Turns a pool spec into a validated <see cref="IpPool"/>, or says which field is wrong. Everything the engine later
/// relies on (canonical subnets, no overlap, ranges inside the subnet, at least one address) is checked here once.
/// </summary>
public static class PoolParser
{
    public static IpPool Parse(PoolJson? json, string path = "pool")
    {
        if (json is null) throw new PoolConfigException(path, "is required");
        string name = json.Name ?? throw new PoolConfigException($"{path}.name", "is required");
        if (!Names.IsDnsLabel(name)) throw new PoolConfigException($"{path}.name", $"\"{name}\" {Names.DnsLabelRule}");
        if (json.Segments is not { Count: > 0 } raw) throw new PoolConfigException($"{path}.segments", "must list at least one segment");

        var segments = new List<Segment>(raw.Count);
        for (int i = 0; i < raw.Count; i++)
        {
            string at = $"{path}.segments[{i}]";
            var segment = ParseSegment(raw[i], at);
            if (segments.FirstOrDefault(s => s.Name == segment.Name) is not null)
                throw new PoolConfigException($"{at}.name", $"\"{segment.Name}\" is used by another segment of the pool");
            if (segments.FirstOrDefault(s => Overlap(s.Subnet, segment.Subnet)) is { } other)
                throw new PoolConfigException($"{at}.subnet", $"{segment.Subnet} overlaps segment \"{other.Name}\" ({other.Subnet})");
            segments.Add(segment);
        }
        return new IpPool(name, segments)
        {
            NamespaceSelector = ParseSelector(json.NamespaceSelector, $"{path}.namespaceSelector"),
            PodSelector = ParseSelector(json.PodSelector, $"{path}.podSelector"),
        };
    }

    static LabelSelector? ParseSelector(LabelSelectorJson? json, string at)
    {
        if (json is null) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in json.MatchLabels ?? [])
        {
            if (!Names.IsLabelKey(k)) throw new PoolConfigException($"{at}.matchLabels", $"\"{k}\" is not a label key");
            labels[k] = v is not null && Names.IsLabelValue(v) ? v : throw new PoolConfigException($"{at}.matchLabels.{k}", $"\"{v}\" is not a label value");
        }
        var requirements = new List<LabelRequirement>();
        foreach (var (r, i) in Indexed(json.MatchExpressions))
        {
            string rat = $"{at}.matchExpressions[{i}]";
            if (r is null) throw new PoolConfigException(rat, "must be an object with key and operator");
            if (r.Key is null || !Names.IsLabelKey(r.Key)) throw new PoolConfigException($"{rat}.key", $"\"{r.Key}\" is not a label key");
            if (!Enum.TryParse<LabelOperator>(r.Operator, ignoreCase: false, out var op) || !Enum.IsDefined(op) || r.Operator!.Any(char.IsDigit))
                throw new PoolConfigException($"{rat}.operator", $"\"{r.Operator}\" is not one of In, NotIn, Exists, DoesNotExist");
            var values = (r.Values ?? []).Select((v, j) => v ?? throw new PoolConfigException($"{rat}.values[{j}]", "must be a string")).ToList();
            if (op is LabelOperator.In or LabelOperator.NotIn && values.Count == 0)
                throw new PoolConfigException($"{rat}.values", $"must not be empty for {op}");
            if (op is LabelOperator.Exists or LabelOperator.DoesNotExist && values.Count > 0)
                throw new PoolConfigException($"{rat}.values", $"must be empty for {op}");
            requirements.Add(new LabelRequirement(r.Key, op, values));
        }
        return new LabelSelector(labels, requirements);
    }

    static Segment ParseSegment(SegmentJson? s, string at)
    {
        if (s is null) throw new PoolConfigException(at, "must be an object");
        string name = s.Name ?? throw new PoolConfigException($"{at}.name", "is required");
        if (!Names.IsDnsLabel(name)) throw new PoolConfigException($"{at}.name", $"\"{name}\" {Names.DnsLabelRule}");

        if (string.IsNullOrEmpty(s.Subnet)) throw new PoolConfigException($"{at}.subnet", "is required");
        if (!IpPrefix.TryParse(s.Subnet, out var subnet))
            throw new PoolConfigException($"{at}.subnet", $"\"{s.Subnet}\" is not a subnet (like 10.20.0.0/24 or fd00:20::/64)");
        if (!IpMath.IsCanonical(subnet))
            throw new PoolConfigException($"{at}.subnet", $"\"{s.Subnet}\" has host bits set; did you mean {IpMath.FromNumber(IpMath.Bounds(subnet).First, subnet.Family)}/{subnet.PrefixLength}?");
        if (subnet.PrefixLength == 0)
            throw new PoolConfigException($"{at}.subnet", $"\"{s.Subnet}\" is every address there is; a segment is one network (like 10.20.0.0/24)");

        IPAddress? gateway = null;
        if (s.Gateway is not null)
        {
            gateway = Address(s.Gateway, $"{at}.gateway", subnet.Family);
            if (!subnet.Contains(gateway)) throw new PoolConfigException($"{at}.gateway", $"{gateway} is outside the subnet {subnet}");
            var (first, last) = IpMath.Bounds(subnet);
            bool v4 = subnet.Family == System.Net.Sockets.AddressFamily.InterNetwork;
            // On IPv4 below /31 the first address names the network and the last is its broadcast; on IPv6 the first is the subnet-router anycast.
            if (IpMath.ToNumber(gateway) == first && (v4 ? subnet.PrefixLength < 31 : subnet.PrefixLength < 127))
                throw new PoolConfigException($"{at}.gateway", $"{gateway} is the network address of {subnet}, not a host");
            if (v4 && subnet.PrefixLength < 31 && IpMath.ToNumber(gateway) == last)
                throw new PoolConfigException($"{at}.gateway", $"{gateway} is the broadcast address of {subnet}, not a host");
        }

        int vlan = s.Vlan ?? 0;
        if (vlan is < 0 or > 4094) throw new PoolConfigException($"{at}.vlan", $"{vlan} is out of range (0..4094; 0 means untagged)");

        var ranges = new List<AddressRange>();
        foreach (var (r, i) in Indexed(s.Ranges))
        {
            string rat = $"{at}.ranges[{i}]";
            if (r is null) throw new PoolConfigException(rat, "must be an object with start and end");
            var start = Address(r.Start, $"{rat}.start", subnet.Family);
            var end = Address(r.End, $"{rat}.end", subnet.Family);
            if (!subnet.Contains(start)) throw new PoolConfigException($"{rat}.start", $"{start} is outside the subnet {subnet}");
            if (!subnet.Contains(end)) throw new PoolConfigException($"{rat}.end", $"{end} is outside the subnet {subnet}");
            if (IpMath.ToNumber(start) > IpMath.ToNumber(end)) throw new PoolConfigException(rat, $"start {start} is after end {end}");
            if (ranges.FirstOrDefault(o => IpMath.ToNumber(o.Start) <= IpMath.ToNumber(end) && IpMath.ToNumber(start) <= IpMath.ToNumber(o.End)) is { } hit)
                throw new PoolConfigException(rat, $"{start}-{end} overlaps the range {hit.Start}-{hit.End}");
            ranges.Add(new AddressRange(start, end));
        }

        var exclude = new List<IpPrefix>();
        foreach (var (e, i) in Indexed(s.Exclude))
            exclude.Add(PrefixOrAddress(e, $"{at}.exclude[{i}]", subnet.Family));

        var routes = new List<SegmentRoute>();
        foreach (var (r, i) in Indexed(s.Routes))
        {
            string rat = $"{at}.routes[{i}]";
            if (r is null) throw new PoolConfigException(rat, "must be an object with dst");
            if (string.IsNullOrEmpty(r.Dst)) throw new PoolConfigException($"{rat}.dst", "is required");
            if (!IpPrefix.TryParse(r.Dst, out var dst) || dst.Family != subnet.Family)
                throw new PoolConfigException($"{rat}.dst", $"\"{r.Dst}\" is not a {FamilyName(subnet.Family)} prefix");
            routes.Add(new SegmentRoute(dst, r.Gw is null ? null : Address(r.Gw, $"{rat}.gw", subnet.Family)));
        }

        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in s.NodeSelector ?? [])
        {
            if (string.IsNullOrEmpty(k)) throw new PoolConfigException($"{at}.nodeSelector", "has an empty label key");
            selector[k] = v ?? throw new PoolConfigException($"{at}.nodeSelector.{k}", "must be a string");
        }

        var segment = new Segment
        {
            Name = name, Subnet = subnet, Gateway = gateway, Vlan = vlan,
            Ranges = ranges, Exclude = exclude, Routes = routes, NodeSelector = selector,
        };
        if (new SegmentAddresses(segment).Count(cap: 1) == 0)
            throw new PoolConfigException(at, $"has no allocatable address (subnet {subnet} less network, broadcast, gateway and excludes)");
        return segment;
    }

    static IPAddress Address(string? text, string field, AddressFamily family)
    {
        if (string.IsNullOrEmpty(text)) throw new PoolConfigException(field, "is required");
        if (!IPAddress.TryParse(text, out var a) || a.AddressFamily != family || text.Contains('%') || (family == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3))
            throw new PoolConfigException(field, $"\"{text}\" is not an {FamilyName(family)} address");
        return a;
    }

    static IpPrefix PrefixOrAddress(string? text, string field, AddressFamily family)
    {
        if (string.IsNullOrEmpty(text)) throw new PoolConfigException(field, "is required");
        if (text.Contains('/'))
            return IpPrefix.TryParse(text, out var p) && p.Family == family
                ? p
                : throw new PoolConfigException(field, $"\"{text}\" is not an {FamilyName(family)} address or prefix");
        var a = Address(text, field, family);
        return new IpPrefix(a, IpMath.Bits(family));
    }

    static bool Overlap(IpPrefix a, IpPrefix b)
    {
        if (a.Family != b.Family) return false;
        var (af, al) = IpMath.Bounds(a);
        var (bf, bl) = IpMath.Bounds(b);
        return af <= bl && bf <= al;
    }

    static string FamilyName(AddressFamily f) => f == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    static IEnumerable<(T Item, int Index)> Indexed<T>(List<T>? items) => (items ?? []).Select((x, i) => (x, i));
}

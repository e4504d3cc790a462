using System.Globalization;

namespace Cdd.Operator.Recovery;

/// <summary>
/// A MySQL GTID set as <c>@@gtid_executed</c> prints it: <c>uuid[:tag]:1-5:7,uuid2:1-3</c> (whitespace and newlines
/// ignored; tags are MySQL 8.3+'s tagged GTIDs, compared as part of the source). Pure; used to find the member whose
/// transactions contain every other member's.
/// </summary>
internal sealed class GtidSet
{
    // source (uuid or uuid:tag, lower case) -> sorted, merged, inclusive intervals
    readonly SortedDictionary<string, List<(long From, long To)>> _sets = new(StringComparer.Ordinal);

    public static GtidSet Empty => new();

    /// <summary>Parses the text; a malformed set throws FormatException naming the bad part.</summary>
    public static GtidSet Parse(string text)
    {
        var set = new GtidSet();
        foreach (var raw in text.Replace("\n", "").Replace("\r", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split(':');
            if (parts.Length < 2 || !Guid.TryParse(parts[0], out _)) throw new FormatException($"GTID set part \"{raw}\" does not start with a server uuid and an interval");
            string source = parts[0].ToLowerInvariant();
            foreach (var p in parts.Skip(1))
            {
                if (p.Length > 0 && !char.IsAsciiDigit(p[0]))
                {
                    source = $"{parts[0].ToLowerInvariant()}:{p.ToLowerInvariant()}";
                    continue;
                }
                var ends = p.Split('-');
                if (ends.Length is < 1 or > 2 || !long.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out long from)
                    || !long.TryParse(ends[^1], NumberStyles.None, CultureInfo.InvariantCulture, out long to) || from < 1 || to < from)
                    throw new FormatException($"GTID interval \"{p}\" in \"{raw}\" is not N or N-M with 1 <= N <= M");
                set.Add(source, from, to);
            }
        }
        return set;
    }

    void Add(string source, long from, long to)
    {
        if (!_sets.TryGetValue(source, out var list)) _sets[source] = list = [];
        list.Add((from, to));
        list.Sort();
        var merged = new List<(long, long)>();
        foreach (var (f, t) in list)
        {
            if (merged.Count > 0 && f <= merged[^1].Item2 + 1) merged[^1] = (merged[^1].Item1, Math.Max(merged[^1].Item2, t));
            else merged.Add((f, t));
        }
        _sets[source] = merged;
    }

    public GtidSet Union(GtidSet other)
    {
        var u = new GtidSet();
        foreach (var s in new[] { this, other })
            foreach (var (source, list) in s._sets)
                foreach (var (f, t) in list) u.Add(source, f, t);
        return u;
    }

    /// <summary>Whether every transaction of <paramref name="other"/> is in this set.</summary>
    public bool Contains(GtidSet other)
    {
        foreach (var (source, list) in other._sets)
        {
            if (!_sets.TryGetValue(source, out var mine)) return false;
            foreach (var (f, t) in list)
                if (!mine.Any(m => m.From <= f && t <= m.To)) return false;
        }
        return true;
    }

    /// <summary>Whether the set holds a transaction of <paramref name="uuid"/> (any tag).</summary>
    public bool HasSource(string uuid) =>
        _sets.Keys.Any(k => string.Equals(k, uuid, StringComparison.OrdinalIgnoreCase) || k.StartsWith(uuid + ":", StringComparison.OrdinalIgnoreCase));

    public long Count => _sets.Values.Sum(l => l.Sum(i => i.To - i.From + 1));

    public override string ToString() => string.Join(",", _sets.Select(kv => kv.Key + ":" + string.Join(":", kv.Value.Select(i => i.From == i.To ? $"{i.From}" : $"{i.From}-{i.To}"))));
}

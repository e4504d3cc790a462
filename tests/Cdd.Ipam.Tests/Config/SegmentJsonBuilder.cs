using Cdd.Ipam.Config;

namespace Cdd.Ipam.Tests.Config;

internal sealed class SegmentJsonBuilder(string subnet, string? gateway = null)
{
    public SegmentJson Json { get; } = new() { Name = "s", Subnet = subnet, Gateway = gateway };

    public SegmentJsonBuilder Excluding(params string[] items)
    {
        Json.Exclude = [.. items];
        return this;
    }

    public SegmentJsonBuilder Ranging(params (string Start, string End)[] ranges)
    {
        Json.Ranges = [.. ranges.Select(r => new RangeJson { Start = r.Start, End = r.End })];
        return this;
    }
}

namespace Cdd.Ipam.Config;

/// <summary>A pool spec that cannot be used; <see cref="Field"/> is the JSON path of the offending field.</summary>
public sealed class PoolConfigException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
}

namespace Cdd.Ipam.Kube.Cluster;

/// <summary>A cluster object the agent needs is missing or holds a value it cannot use; <see cref="Field"/> names where.</summary>
public sealed class ClusterObjectException(string obj, string field, string problem) : Exception($"{obj}: {field}: {problem}")
{
    public string Object { get; } = obj;
    public string Field { get; } = field;
}

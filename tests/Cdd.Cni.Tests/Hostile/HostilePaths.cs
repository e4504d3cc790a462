namespace Cdd.Cni.Tests.Hostile;

/// <summary>Where the corpus runs: binaries, the test's data and state dirs, the pod, and the hostile CNI_NETNS values.</summary>
internal sealed record HostilePaths
{
    public required string CddCni { get; init; }
    public required string CddIpam { get; init; }
    public required string CniPath { get; init; }
    public required string DataDir { get; init; }
    public required string StateDir { get; init; }
    /// <summary>A folder no case may write into (the ".." cases point next to it).</summary>
    public required string Outside { get; init; }
    public required string PodNetns { get; init; }
    public required IReadOnlyList<string> HostileNetns { get; init; }
}

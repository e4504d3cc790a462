namespace Cdd.Operator.Placement;

/// <summary>
/// Circuit breakers: a node whose pressure reaches a threshold (pressure ≥ threshold) gets no new member, and a primary
/// on it is moved to a secondary on a healthy node.
/// </summary>
internal sealed record BreakerThresholds(double Cpu, double Memory, double Network, double Disk)
{
    public static readonly BreakerThresholds Default = new(0.85, 0.90, 0.80, 0.85);

    /// <summary>The first breaker the pressure trips, as a reason a person can read; null when none is tripped.</summary>
    public string? Tripped(Pressure p) =>
        p.Cpu >= Cpu ? $"circuit breaker: cpu pressure {p.Cpu:0.###} ≥ {Cpu:0.###}"
        : p.Memory >= Memory ? $"circuit breaker: memory pressure {p.Memory:0.###} ≥ {Memory:0.###}"
        : p.Network >= Network ? $"circuit breaker: network pressure {p.Network:0.###} ≥ {Network:0.###}"
        : p.Disk >= Disk ? $"circuit breaker: disk pressure {p.Disk:0.###} ≥ {Disk:0.###}"
        : null;

    public bool IsTripped(Pressure p) => p.Cpu >= Cpu || p.Memory >= Memory || p.Network >= Network || p.Disk >= Disk;

    /// <summary>How close the pressure is to its nearest breaker (max of pressure/threshold); below 1 is healthy.</summary>
    public double Headroom(Pressure p) => Math.Max(Math.Max(p.Cpu / Cpu, p.Memory / Memory), Math.Max(p.Network / Network, p.Disk / Disk));
}

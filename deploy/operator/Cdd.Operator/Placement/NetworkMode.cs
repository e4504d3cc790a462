namespace Cdd.Operator.Placement;

/// <summary>How a member's pod is plugged: the cdd-cni modes.</summary>
public enum NetworkMode { Sriov, Macvlan, Overlay }

namespace Cdd.Operator.Placement;

/// <summary>How a member's pod is plugged: the cdd-cni modes.</summary>
internal enum NetworkMode { Sriov, Macvlan, Overlay }

using k8s.Models;

namespace Cdd.Operator.Members;

/// <summary>Where a member's data volume allows it: the PVC, why, and which nodes (<see cref="MemberVolumes.PinAsync"/>).</summary>
internal sealed record VolumePin(string Pvc, string Reason, Func<V1Node, bool> Allows);

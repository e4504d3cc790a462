using k8s.Models;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>The inventory placement judges by: every Node and every member pod of every cluster (label cdd.io/cluster, all namespaces).</summary>
internal sealed record LiveObjects(IList<V1Node> Nodes, IList<V1Pod> MemberPods);

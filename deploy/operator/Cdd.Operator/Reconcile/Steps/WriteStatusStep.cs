using System.Text.Json.Nodes;
using Cdd.Operator.Model;
using Cdd.Operator.Placement;

namespace Cdd.Operator.Reconcile.Steps;

/// <summary>
/// Writes <c>/status</c> from the snapshot the other steps left and the conditions they concluded: members (name, ip,
/// node, role, MGR state, version, applier queue, last error while in ERROR, phase), readyMembers, primary (node), the phase (Pending: nothing placeable; Degraded: some
/// members cannot be placed; Running: all members' pods running; else Creating). Returns the Ready condition, which it
/// adds to the status itself.
/// </summary>
internal sealed class WriteStatusStep(StatusWriter writer) : IReconcileStep
{
    /// <summary>The MEMBER_STATE values the CRD's status accepts.</summary>
    static readonly HashSet<string> MemberStates = new(StringComparer.Ordinal) { "ONLINE", "RECOVERING", "OFFLINE", "ERROR", "UNREACHABLE" };

    public async Task<Condition?> RunAsync(ClusterSnapshot snapshot, PassContext pass)
    {
        var spec = snapshot.Spec;
        var members = new JsonArray();
        int ready = 0;
        string? primary = null;
        for (int i = 0; i < spec.Members; i++)
        {
            string name = MemberNames.PodName(spec.Name, i);
            var m = new JsonObject { ["name"] = name };
            if (snapshot.Addresses.TryGetValue(i, out var ip)) m["ip"] = ip.ToString();
            if (snapshot.States.TryGetValue(name, out var state) && MemberStates.Contains(state)) m["state"] = state;
            if (snapshot.Health.TryGetValue(name, out var health))
            {
                if (health.Version.Length > 0) m["version"] = health.Version;
                if (health.ApplierQueue is { } q) m["applierQueue"] = q;
                if (health.LastError is { } error && state == "ERROR") m["lastError"] = error;
            }
            if (snapshot.Pods.TryGetValue(i, out var pod))
            {
                m["node"] = pod.Spec.NodeName;
                var role = MemberNames.Role(pod);
                m["role"] = role == MemberRole.Primary ? "PRIMARY" : "SECONDARY";
                if (role == MemberRole.Primary) primary = pod.Spec.NodeName;
                string phase = pod.Metadata.DeletionTimestamp is not null ? "Pending"
                    : pod.Status?.Phase switch { "Running" => "Running", "Failed" => "Failed", _ => "Creating" };
                if (phase == "Running") ready++;
                m["phase"] = phase;
            }
            else m["phase"] = "Pending";
            members.Add(m);
        }
        bool unplaceable = pass.Find(Condition.Placed) is { Reason: "Unplaceable" };
        string clusterPhase = unplaceable ? (snapshot.Pods.Count == 0 ? "Pending" : "Degraded")
            : ready == spec.Members ? "Running" : "Creating";
        var readyCondition = ready == spec.Members
            ? new Condition(Condition.Ready, true, "AllMembersRunning", $"{ready}/{spec.Members} members running")
            : new Condition(Condition.Ready, false, "MembersNotRunning", $"{ready}/{spec.Members} members running");
        var status = writer.Build(snapshot.Cluster, clusterPhase, members, ready, primary, [.. pass.Conditions, readyCondition]);
        await writer.WriteAsync(spec.Namespace, spec.Name, status, pass.Ct);
        return readyCondition;
    }
}

namespace Cdd.Operator.Model;

/// <summary>
/// One condition of a MySQLCluster's status as a reconcile step concludes it: <see cref="Type"/> (Placed, Ready,
/// PrimaryTracked, ...), True or False, a CamelCase reason and a message for people. The status adds the transition time.
/// </summary>
internal sealed record Condition(string Type, bool Status, string Reason, string Message)
{
    /// <summary>The reason a step gives when the collaborator it needs was not configured: no later pass can change that.</summary>
    public const string NotConfigured = "NotConfigured";

    public const string Placed = "Placed", Ready = "Ready", PrimaryTracked = "PrimaryTracked", PrimaryHostHealthy = "PrimaryHostHealthy",
        SettingsApplied = "SettingsApplied", PodsUpToDate = "PodsUpToDate";
}

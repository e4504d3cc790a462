namespace Cdd.Csi.Errors;

/// <summary>An external tool did not finish within its timeout and was killed with everything it started.</summary>
internal sealed class ToolTimeoutException(string tool, IReadOnlyList<string> args, TimeSpan timeout)
    : Exception($"{tool} {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0.###} s and was killed")
{
    public string Tool { get; } = tool;
    public TimeSpan Timeout { get; } = timeout;
}

namespace Cdd.Csi.Errors;

/// <summary>An external tool (lvm2, mkfs, blkid) exited non-zero; the call fails with INTERNAL and this text.</summary>
internal sealed class ToolException(string tool, IReadOnlyList<string> args, int exitCode, string stderr)
    : Exception($"{tool} {string.Join(' ', args)} exited {exitCode}: {stderr.Trim()}")
{
    public string Tool { get; } = tool;
    public int ExitCode { get; } = exitCode;
}

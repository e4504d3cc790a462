namespace Cdd.Cni.Ipam;

/// <summary>What a delegated plugin left behind: its exit code, stdout as bytes, and the end of stderr.</summary>
internal sealed record DelegateOutput(int ExitCode, byte[] Stdout, string StderrTail);

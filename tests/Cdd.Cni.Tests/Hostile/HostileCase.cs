namespace Cdd.Cni.Tests.Hostile;

/// <summary>One generated input: which binary, the CNI_* environment and the bytes on stdin.</summary>
internal sealed record HostileCase(string Category, string Binary, Dictionary<string, string> Env, string Stdin)
{
    public string Describe() =>
        $"[{Category}] {Path.GetFileName(Binary)} {string.Join(' ', Env.Select(e => $"{e.Key}={e.Value}"))}\nstdin: {(Stdin.Length > 300 ? Stdin[..300] + "..." : Stdin)}";
}

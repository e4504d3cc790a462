namespace Cdd.Testing;

/// <summary>
/// Compiles and runs a small C program and returns what it printed: hand-declared struct layouts are checked
/// against sizeof/offsetof from the system headers, not against what we believe they say.
/// </summary>
public static class CProbe
{
    public static string Run(string source)
    {
        using var dir = new TempDir("cdd-cprobe");
        string c = System.IO.Path.Combine(dir.Path, "probe.c"), exe = System.IO.Path.Combine(dir.Path, "probe");
        File.WriteAllText(c, source);
        Exec.Run("cc", ["-o", exe, c], timeoutMs: 60_000).EnsureSuccess("cc (install gcc and libc6-dev: build.sh does)");
        return Exec.Run(exe, [], timeoutMs: 10_000).EnsureSuccess("the C probe").Stdout.Trim();
    }
}

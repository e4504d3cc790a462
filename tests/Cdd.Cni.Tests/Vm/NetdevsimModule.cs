using Cdd.Testing;
using Cdd.Vm;

namespace Cdd.Cni.Tests.Vm;

/// <summary>
/// netdevsim.ko for the guest kernel, built on the host by tests/vm/netdevsim/build-netdevsim.sh (Debian's kernel
/// does not build netdevsim): about 40 s the first time, then read from the cache keyed by kernel version. The guest
/// sees the host's / read-only, so the cached file is insmod'ed in the guest by the same path.
/// </summary>
public static class NetdevsimModule
{
    public static string Script => Path.Combine(RepoRoot.Path, "tests", "vm", "netdevsim", "build-netdevsim.sh");

    /// <summary>The path of netdevsim.ko built for <paramref name="kernel"/>; fails with the script's reason (missing headers, source, tools).</summary>
    public static string Build(GuestKernel kernel)
    {
        // The first build decompresses the whole kernel tarball (xz cannot seek): minutes on a busy two-core host.
        var r = Exec.Run("bash", [Script, kernel.Version], timeoutMs: 20 * 60_000);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"building netdevsim.ko for {kernel.Version} failed ({Script} exited {r.ExitCode}):\n{r.Stderr}");
        string ko = r.Stdout.Trim();
        if (!File.Exists(ko))
            throw new InvalidOperationException($"{Script} printed {ko}, which does not exist\n{r.Stderr}");
        return ko;
    }
}

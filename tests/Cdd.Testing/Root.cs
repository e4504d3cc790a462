namespace Cdd.Testing;

/// <summary>Integration tests need root (CAP_NET_ADMIN, mounts). Without it they fail and say so; they never skip.</summary>
public static class Root
{
    public static void Require(string what = "network namespaces and links")
    {
        if (Tmds.Linux.LibC.geteuid() != 0)
            throw new InvalidOperationException($"This integration test needs root to create {what}; run `./build.sh test` as root (CI does).");
    }
}

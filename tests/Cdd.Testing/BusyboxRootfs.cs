namespace Cdd.Testing;

/// <summary>A container root made of Debian's busybox-static and applet symlinks, so a runtime starts a container without pulling an image.</summary>
public static class BusyboxRootfs
{
    public const string Busybox = "/bin/busybox";

    public static string Build(string dir, params string[] applets)
    {
        if (!File.Exists(Busybox))
            throw new InvalidOperationException($"{Busybox} is missing: apt-get install busybox-static");
        foreach (var d in new[] { "bin", "proc", "sys", "dev", "etc", "tmp", "run" })
            Directory.CreateDirectory(System.IO.Path.Combine(dir, d));
        File.Copy(Busybox, System.IO.Path.Combine(dir, "bin", "busybox"), overwrite: true);
        foreach (var a in applets.Prepend("sh").Distinct())
            File.CreateSymbolicLink(System.IO.Path.Combine(dir, "bin", a), "busybox");
        return dir;
    }
}

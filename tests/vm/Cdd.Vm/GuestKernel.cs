namespace Cdd.Vm;

/// <summary>Debian's stock kernel (apt linux-image-amd64) as installed on the host: its image and its modules.</summary>
public sealed record GuestKernel(string Version, string Image, string ModulesDir)
{
    /// <summary>The newest /boot/vmlinuz-* whose modules are installed under /lib/modules.</summary>
    public static GuestKernel Find()
    {
        var found = Directory.Exists("/boot")
            ? Directory.GetFiles("/boot", "vmlinuz-*")
                .Select(image => (image, version: Path.GetFileName(image)["vmlinuz-".Length..]))
                .Where(k => Directory.Exists(Path.Combine("/lib/modules", k.version, "kernel")))
                .OrderByDescending(k => k.version, StringComparer.Ordinal)
                .ToList()
            : [];
        if (found.Count == 0)
            throw new InvalidOperationException(
                "The VM tier needs Debian's stock kernel: no /boot/vmlinuz-* with modules under /lib/modules; " +
                "install it with `apt-get install --no-install-recommends linux-image-amd64` (./build.sh does).");
        var (img, ver) = found[0];
        return new GuestKernel(ver, img, Path.Combine("/lib/modules", ver));
    }
}

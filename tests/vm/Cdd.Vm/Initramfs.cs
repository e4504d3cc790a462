using System.IO.Compression;
using System.Text;
using Cdd.Testing;

namespace Cdd.Vm;

/// <summary>
/// Builds the tiny initramfs: a static busybox, the modules needed to reach the host's root over
/// virtio-9p (virtio_pci 9pnet_virtio 9p overlay and what they depend on), and <see cref="GuestScripts.Init"/>.
/// </summary>
public static class Initramfs
{
    public static readonly string[] BootModules = ["virtio_pci", "9pnet_virtio", "9p", "overlay"];

    const string Busybox = "/bin/busybox";

    public static void Build(GuestKernel kernel, string file)
    {
        if (!File.Exists(Busybox) || !IsStatic(Busybox))
            throw new InvalidOperationException(
                $"The VM tier needs a static busybox at {Busybox}: `apt-get install --no-install-recommends busybox-static` (./build.sh does).");
        var modules = ModuleFiles(kernel);

        using var fs = File.Create(file);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var cpio = new CpioWriter(gz);
        foreach (var dir in new[] { "bin", "dev", "proc", "sys", "lower", "upper", "newroot", "modules" })
            cpio.AddDirectory(dir);
        cpio.AddFile("bin/busybox", File.ReadAllBytes(Busybox), 0x1ED);
        cpio.AddSymlink("bin/sh", "busybox");
        var order = new StringBuilder();
        for (int i = 0; i < modules.Count; i++)
        {
            string name = $"modules/{i:D2}-{Path.GetFileName(modules[i])}";
            cpio.AddFile(name, File.ReadAllBytes(modules[i]));
            order.Append('/').Append(name).Append('\n');
        }
        cpio.AddFile("modules/order", Encoding.ASCII.GetBytes(order.ToString()));
        cpio.AddFile("init", Encoding.ASCII.GetBytes(GuestScripts.Init), 0x1ED);
    }

    /// <summary>The .ko files to insmod, dependencies first, each once (from `modprobe --show-depends` for the guest kernel).</summary>
    public static List<string> ModuleFiles(GuestKernel kernel)
    {
        var files = new List<string>();
        foreach (var module in BootModules)
        {
            var r = Exec.Run("modprobe", "--show-depends", "-S", kernel.Version, module)
                .EnsureSuccess($"modprobe --show-depends -S {kernel.Version} {module}");
            foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields is ["builtin", ..]) continue;
                if (fields is not ["insmod", var path, ..])
                    throw new InvalidOperationException($"unexpected modprobe --show-depends line: {line}");
                if (!path.EndsWith(".ko", StringComparison.Ordinal))
                    throw new InvalidOperationException($"{path}: compressed modules are not supported by the initramfs builder");
                if (!files.Contains(path)) files.Add(path);
            }
        }
        return files;
    }

    static bool IsStatic(string file)
    {
        // A dynamically linked ELF has a PT_INTERP program header; look for the loader's path in the first pages.
        var head = new byte[Math.Min(8192, new FileInfo(file).Length)];
        using (var s = File.OpenRead(file)) s.ReadExactly(head);
        return !Encoding.ASCII.GetString(head).Contains("/lib64/ld-linux", StringComparison.Ordinal);
    }
}

using Cdd.Testing;

namespace Cdd.Vm.Tests;

[Tier(Tier.Unit)]
public class CpioWriterTests
{
    [Fact]
    public void Archive_unpacks_with_cpio_to_the_same_files_links_and_modes()
    {
        using var dir = new TempDir("cdd-cpio");
        string archive = Path.Combine(dir.Path, "a.cpio");
        using (var f = File.Create(archive))
        using (var cpio = new CpioWriter(f))
        {
            cpio.AddDirectory("bin");
            cpio.AddFile("bin/tool", "#!/bin/sh\necho hi\n"u8.ToArray(), 0x1ED);
            cpio.AddFile("odd", [1, 2, 3]);
            cpio.AddSymlink("bin/alias", "tool");
        }
        string into = dir.Sub("x");
        Exec.Run("env", ["-C", into, "busybox", "cpio", "-i", "-d", "-F", archive], timeoutMs: 10_000)
            .EnsureSuccess("busybox cpio -i");

        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(Path.Combine(into, "bin/tool")));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(into, "odd")));
        Assert.Equal("tool", new FileInfo(Path.Combine(into, "bin/alias")).LinkTarget);
        Assert.True(File.GetUnixFileMode(Path.Combine(into, "bin/tool")).HasFlag(UnixFileMode.UserExecute));
    }
}

namespace Cdd.Testing;

/// <summary>
/// A private temporary folder, removed on dispose. Anything a runtime left mounted below it
/// (podman's shm and rootfs mounts after a failed run) is unmounted first, so the delete
/// never walks into a live mount.
/// </summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "cdd-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    /// <summary>A subfolder, created if missing.</summary>
    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        Mounts.UnmountBelow(Path);
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
